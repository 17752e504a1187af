//! The one error type of the service: one variant per AWS error code.
//!
//! `wire::error` turns it into the HTTP response (status, `x-amzn-ErrorType`, JSON body); everything else only
//! constructs it. Messages are AWS's texts, built by the caller.

/// An AWS Lambda error. The variant name is the `x-amzn-ErrorType` code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[allow(clippy::enum_variant_names)]
pub enum Error {
    /// 404. Body uses capital `Message`.
    #[error("ResourceNotFoundException: {0}")]
    ResourceNotFoundException(String),
    /// 400.
    #[error("InvalidParameterValueException: {0}")]
    InvalidParameterValueException(String),
    /// 400, but AWS sends the body without `Type` (seen for one alias routing message).
    #[error("InvalidParameterValueException: {0}")]
    InvalidParameterValueUntyped(String),
    /// 409.
    #[error("ResourceConflictException: {0}")]
    ResourceConflictException(String),
    /// 412.
    #[error("PreconditionFailedException: {0}")]
    PreconditionFailedException(String),
    /// 400.
    #[error("PolicyLengthExceededException: {0}")]
    PolicyLengthExceededException(String),
    /// 400: storing the code would take the server past `--code-storage-limit` (`Code storage limit exceeded.`).
    #[error("CodeStorageExceededException: {0}")]
    CodeStorageExceededException(String),
    /// 400: the body is not JSON, or a member has the wrong JSON type.
    #[error("InvalidRequestContentException: {0}")]
    InvalidRequestContentException(String),
    /// 400: model constraints (pattern, length, enum, range, required). Body has no `Type`.
    #[error("ValidationException: {0}")]
    ValidationException(String),
    /// 403.
    #[error("AccessDeniedException: {0}")]
    AccessDeniedException(String),
    /// 413: the request body is larger than the operation accepts.
    #[error("RequestEntityTooLargeException: {0}")]
    RequestEntityTooLargeException(String),
    /// 408 `RequestTimeoutException`: the request body stopped arriving (`--body-read-timeout-ms`). Inferred: AWS's
    /// front end has its own; this code is one the AWS SDKs retry.
    #[error("RequestTimeoutException: {0}")]
    RequestTimeout(String),
    /// 404: no operation matches the method and path.
    #[error("UnknownOperationException")]
    UnknownOperationException,
    /// 500: a bug in lambdalite; the detail is logged, the client sees a generic message.
    #[error("ServiceException: {0}")]
    ServiceException(String),
    /// 500 `ServiceException` too: the state directory could not be written and the write was taken back. The
    /// client sees the message, which says so (inferred: AWS has no such failure to copy).
    #[error("ServiceException: {0}")]
    StorageFailure(String),
}

/// What the JSON error body carries besides the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyShape {
    /// `{"Type":"User","Message":"..."}`
    UserCapitalMessage,
    /// `{"Type":"User","message":"..."}`
    UserMessage,
    /// `{"message":"..."}`
    Message,
    /// `{"Message":"..."}`
    CapitalMessage,
    /// `{"Type":"Service","Message":"..."}`
    ServiceCapitalMessage,
}

impl Error {
    /// The `x-amzn-ErrorType` code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::ResourceNotFoundException(_) => "ResourceNotFoundException",
            Error::InvalidParameterValueException(_) | Error::InvalidParameterValueUntyped(_) => {
                "InvalidParameterValueException"
            }
            Error::ResourceConflictException(_) => "ResourceConflictException",
            Error::PreconditionFailedException(_) => "PreconditionFailedException",
            Error::PolicyLengthExceededException(_) => "PolicyLengthExceededException",
            Error::CodeStorageExceededException(_) => "CodeStorageExceededException",
            Error::InvalidRequestContentException(_) => "InvalidRequestContentException",
            Error::ValidationException(_) => "ValidationException",
            Error::AccessDeniedException(_) => "AccessDeniedException",
            Error::RequestEntityTooLargeException(_) => "RequestEntityTooLargeException",
            Error::RequestTimeout(_) => "RequestTimeoutException",
            Error::UnknownOperationException => "UnknownOperationException",
            Error::ServiceException(_) | Error::StorageFailure(_) => "ServiceException",
        }
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        match self {
            Error::ResourceNotFoundException(_) | Error::UnknownOperationException => 404,
            Error::InvalidParameterValueException(_)
            | Error::InvalidParameterValueUntyped(_)
            | Error::PolicyLengthExceededException(_)
            | Error::CodeStorageExceededException(_)
            | Error::InvalidRequestContentException(_)
            | Error::ValidationException(_) => 400,
            Error::AccessDeniedException(_) => 403,
            Error::ResourceConflictException(_) => 409,
            Error::PreconditionFailedException(_) => 412,
            Error::RequestTimeout(_) => 408,
            Error::RequestEntityTooLargeException(_) => 413,
            Error::ServiceException(_) | Error::StorageFailure(_) => 500,
        }
    }

    /// The message as the client sees it.
    pub fn message(&self) -> &str {
        match self {
            Error::ResourceNotFoundException(m)
            | Error::InvalidParameterValueException(m)
            | Error::InvalidParameterValueUntyped(m)
            | Error::ResourceConflictException(m)
            | Error::PreconditionFailedException(m)
            | Error::PolicyLengthExceededException(m)
            | Error::CodeStorageExceededException(m)
            | Error::InvalidRequestContentException(m)
            | Error::ValidationException(m)
            | Error::AccessDeniedException(m)
            | Error::RequestEntityTooLargeException(m)
            | Error::RequestTimeout(m)
            | Error::StorageFailure(m) => m,
            Error::UnknownOperationException => "Unknown operation",
            Error::ServiceException(_) => "An internal error occurred in lambdalite; see its log.",
        }
    }

    /// Which members the JSON body carries (SPEC §2.1).
    pub fn body_shape(&self) -> BodyShape {
        match self {
            Error::ResourceNotFoundException(_) => BodyShape::UserCapitalMessage,
            Error::InvalidParameterValueException(_)
            | Error::ResourceConflictException(_)
            | Error::PreconditionFailedException(_)
            | Error::PolicyLengthExceededException(_)
            | Error::CodeStorageExceededException(_)
            | Error::InvalidRequestContentException(_) => BodyShape::UserMessage,
            Error::InvalidParameterValueUntyped(_)
            | Error::ValidationException(_)
            | Error::RequestTimeout(_)
            | Error::UnknownOperationException => BodyShape::Message,
            Error::AccessDeniedException(_) | Error::RequestEntityTooLargeException(_) => BodyShape::CapitalMessage,
            Error::ServiceException(_) | Error::StorageFailure(_) => BodyShape::ServiceCapitalMessage,
        }
    }

    pub fn not_found(msg: impl Into<String>) -> Self {
        Error::ResourceNotFoundException(msg.into())
    }

    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::InvalidParameterValueException(msg.into())
    }

    pub fn conflict(msg: impl Into<String>) -> Self {
        Error::ResourceConflictException(msg.into())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
