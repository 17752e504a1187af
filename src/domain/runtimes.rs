//! Runtimes and architectures Lambda accepts (SPEC §10.1, §12).

/// Runtimes accepted for creating or updating functions, in the order AWS lists them in its error message.
pub const SUPPORTED: &[&str] = &[
    "nodejs20.x",
    "python3.14",
    "provided.al2023",
    "python3.12",
    "python3.13",
    "nodejs24.x",
    "nodejs22.x",
    "java25",
    "python3.10",
    "python3.11",
    "java21",
    "ruby3.3",
    "ruby3.4",
    "ruby3.2",
    "python3.8",
    "python3.9",
    "java17",
    "nodejs16.x",
    "dotnet10",
    "dotnet8",
    "java11",
    "dotnet6",
    "nodejs18.x",
    "provided.al2",
    "java8.al2",
];

/// Every runtime of the model's enum, in model order (the list layer messages quote).
pub const MODEL_ENUM: &[&str] = &[
    "nodejs",
    "nodejs4.3",
    "nodejs6.10",
    "nodejs8.10",
    "nodejs10.x",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "java8",
    "java8.al2",
    "java11",
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
    "python3.9",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "dotnet6",
    "dotnet8",
    "nodejs4.3-edge",
    "go1.x",
    "ruby2.5",
    "ruby2.7",
    "provided",
    "provided.al2",
    "nodejs18.x",
    "python3.10",
    "java17",
    "ruby3.2",
    "ruby3.3",
    "ruby3.4",
    "python3.11",
    "nodejs20.x",
    "provided.al2023",
    "python3.12",
    "java21",
    "python3.13",
    "nodejs22.x",
    "nodejs24.x",
    "python3.14",
    "java25",
    "dotnet10",
    "ruby4.0",
];

/// `x86_64`, `arm64`.
pub const ARCHITECTURES: &[&str] = &["x86_64", "arm64"];

/// How Lambda answers a `Runtime` value on create or update.
#[derive(Debug, PartialEq, Eq)]
pub enum RuntimeCheck {
    Supported,
    /// In the model but retired: AWS's "no longer supported" message.
    Deprecated,
    /// Not a runtime at all.
    Unknown,
}

pub fn check_runtime(runtime: &str) -> RuntimeCheck {
    if SUPPORTED.contains(&runtime) || runtime == "ruby4.0" {
        RuntimeCheck::Supported
    } else if MODEL_ENUM.contains(&runtime) {
        RuntimeCheck::Deprecated
    } else {
        RuntimeCheck::Unknown
    }
}

/// The IPVE text for a runtime that is not accepted, or `None` when it is.
pub fn runtime_error(runtime: &str) -> Option<String> {
    match check_runtime(runtime) {
        RuntimeCheck::Supported => None,
        RuntimeCheck::Deprecated => Some(format!(
            "The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda functions. \
             We recommend you use a supported runtime while creating or updating functions."
        )),
        RuntimeCheck::Unknown => Some(format!(
            "Value {runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [{}] or be a valid ARN",
            SUPPORTED.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_classes() {
        assert_eq!(check_runtime("python3.12"), RuntimeCheck::Supported);
        assert_eq!(check_runtime("go1.x"), RuntimeCheck::Deprecated);
        assert_eq!(check_runtime("Python3.12"), RuntimeCheck::Unknown);
        assert!(runtime_error("cobol").unwrap().starts_with("Value cobol at 'runtime' failed"));
        assert!(runtime_error("java8").unwrap().starts_with("The runtime parameter of java8 is no longer supported"));
    }
}
