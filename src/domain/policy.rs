//! Resource-based policies, shared by functions and layer versions (SPEC §5.3, §5.4, §6, §7).
//!
//! A policy is an ordered list of statements plus its own RevisionId. Each statement is kept as its compact JSON,
//! serialized once when it is added and stored escaped for the JSON string it is always served in (see
//! [`StoredStatement`]): reads vastly outnumber writes, and the size limit needs the exact byte count.

use indexmap::IndexMap;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The largest policy document, in bytes of its compact JSON (SPEC §7).
pub const MAX_POLICY_BYTES: usize = 20_480;

const DOC_HEAD: &str = r#"{"Version":"2012-10-17","Id":"default","Statement":["#;
const DOC_TAIL: &str = "]}";

/// A fresh random RevisionId (UUID v4).
pub fn new_revision_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Who a statement allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// `"*"`
    Any,
    /// `{"AWS":"<arn>"}`
    Aws(String),
    /// `{"Service":"<service principal>"}`
    Service(String),
}

impl Serialize for Principal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (key, value) = match self {
            Principal::Any => return s.serialize_str("*"),
            Principal::Aws(v) => ("AWS", v),
            Principal::Service(v) => ("Service", v),
        };
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry(key, value)?;
        map.end()
    }
}

/// Condition operators, each mapping keys to values, in the order they are emitted.
pub type Conditions = IndexMap<&'static str, IndexMap<&'static str, String>>;

/// One policy statement, fields in AWS's key order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Statement {
    pub sid: String,
    pub effect: &'static str,
    pub principal: Principal,
    pub action: String,
    pub resource: String,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub condition: Conditions,
}

impl Statement {
    /// An `Allow` statement.
    pub fn allow(sid: String, principal: Principal, action: String, resource: String, condition: Conditions) -> Self {
        Statement { sid, effect: "Allow", principal, action, resource, condition }
    }

    /// The compact JSON that `Statement` and `Policy` responses carry.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a statement always serializes")
    }
}

/// A statement as stored: only the bytes both responses need. AddPermission's `Statement` and GetPolicy's `Policy`
/// are JSON strings *inside* a JSON body, so the statement is kept already escaped for that position: serving a
/// policy is then a copy, not a re-serialisation (escaping dominated GetPolicy's cost), and a statement costs about
/// its JSON size in memory. The typed [`Statement`] is rebuilt on demand (policy evaluation, the state page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredStatement {
    /// The compact statement JSON, escaped as the contents of a JSON string.
    escaped: Box<str>,
    /// The byte length of the unescaped JSON, for the policy size limit.
    json_len: u32,
    /// The Sid's length: the Sid opens the escaped JSON, and its pattern allows nothing that needs escaping.
    sid_len: u16,
}

/// How every escaped statement starts: `{"Sid":"` escaped.
const ESCAPED_SID_PREFIX: &str = r#"{\"Sid\":\""#;

impl StoredStatement {
    /// Serializes and escapes `statement`. Callers do this before taking the store's lock: it depends on the
    /// request alone.
    pub fn new(statement: Statement) -> Self {
        let json = statement.to_json();
        let mut escaped = String::with_capacity(json.len() + json.len() / 4);
        escape_json_into(&mut escaped, &json);
        debug_assert!(escaped.starts_with(&format!("{ESCAPED_SID_PREFIX}{}\\\"", statement.sid)));
        StoredStatement {
            escaped: escaped.into_boxed_str(),
            json_len: json.len() as u32,
            sid_len: statement.sid.len() as u16,
        }
    }

    pub fn sid(&self) -> &str {
        &self.escaped[ESCAPED_SID_PREFIX.len()..ESCAPED_SID_PREFIX.len() + self.sid_len as usize]
    }

    /// The statement JSON escaped as the contents of a JSON string (what goes between the quotes on the wire).
    pub fn escaped(&self) -> &str {
        &self.escaped
    }

    /// The compact statement JSON.
    pub fn json(&self) -> String {
        unescape_json(&self.escaped)
    }

    /// The typed statement.
    pub fn statement(&self) -> Statement {
        Statement::from_json(&self.json())
    }
}

/// Appends `s` to `out` escaped as the contents of a JSON string, exactly as serde_json escapes (`"`, `\` and
/// control characters; everything else verbatim).
pub fn escape_json_into(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            out.push_str(&format!("\\u{b:04x}"));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// The inverse of [`escape_json_into`].
fn unescape_json(escaped: &str) -> String {
    serde_json::from_str(&format!("\"{escaped}\"")).expect("stored statements are valid escaped JSON")
}

impl Statement {
    /// Parses a statement this module wrote (the inverse of [`Statement::to_json`]).
    pub fn from_json(json: &str) -> Statement {
        let v: serde_json::Value = serde_json::from_str(json).expect("stored statements are valid JSON");
        let text = |key: &str| v.get(key).and_then(|x| x.as_str()).unwrap_or_default().to_owned();
        let principal = match v.get("Principal") {
            Some(serde_json::Value::Object(m)) => match (m.get("AWS"), m.get("Service")) {
                (Some(a), _) => Principal::Aws(a.as_str().unwrap_or_default().to_owned()),
                (_, Some(svc)) => Principal::Service(svc.as_str().unwrap_or_default().to_owned()),
                _ => Principal::Any,
            },
            _ => Principal::Any,
        };
        let mut condition = Conditions::new();
        if let Some(serde_json::Value::Object(ops)) = v.get("Condition") {
            for (op, keys) in ops {
                let entry = condition.entry(intern(op)).or_default();
                for (key, value) in keys.as_object().into_iter().flatten() {
                    entry.insert(intern(key), value.as_str().unwrap_or_default().to_owned());
                }
            }
        }
        Statement {
            sid: text("Sid"),
            effect: "Allow",
            principal,
            action: text("Action"),
            resource: text("Resource"),
            condition,
        }
    }
}

/// The condition operators and keys lambdalite writes, as the `&'static str`s [`Conditions`] holds.
fn intern(name: &str) -> &'static str {
    const KNOWN: &[&str] = &[
        "StringEquals",
        "StringLike",
        "ArnLike",
        "ArnEquals",
        "Bool",
        "AWS:SourceAccount",
        "AWS:SourceArn",
        "aws:PrincipalOrgID",
        "lambda:FunctionUrlAuthType",
        "lambda:EventSourceToken",
        "lambda:InvokedViaFunctionUrl",
    ];
    // Only names this module wrote are ever parsed back, so the leak below is never taken in practice.
    KNOWN.iter().find(|k| **k == name).copied().unwrap_or_else(|| Box::leak(name.to_owned().into_boxed_str()))
}

/// A non-empty policy and its RevisionId. An empty policy does not exist: removing the last statement deletes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    statements: Vec<StoredStatement>,
    revision_id: String,
    /// Sum of the statements' unescaped JSON lengths, so the size check is O(1).
    statements_len: usize,
    /// Sum of the statements' escaped lengths, to size the GetPolicy body in one allocation.
    escaped_len: usize,
}

/// The policy document's fixed parts, escaped.
const ESCAPED_DOC_HEAD: &str = r#"{\"Version\":\"2012-10-17\",\"Id\":\"default\",\"Statement\":["#;

impl Policy {
    pub fn revision_id(&self) -> &str {
        &self.revision_id
    }

    /// The typed statements, in order (parsed on demand).
    pub fn statements(&self) -> impl Iterator<Item = Statement> + '_ {
        self.statements.iter().map(StoredStatement::statement)
    }

    pub fn contains(&self, sid: &str) -> bool {
        self.statements.iter().any(|s| s.sid() == sid)
    }

    /// The compact policy document GetPolicy returns.
    pub fn document(&self) -> String {
        unescape_json(&self.escaped_document())
    }

    /// [`Policy::document`] escaped as the contents of a JSON string: what GetPolicy's body carries.
    pub fn escaped_document(&self) -> String {
        let mut out = String::with_capacity(ESCAPED_DOC_HEAD.len() + DOC_TAIL.len() + self.escaped_len + 64);
        self.write_escaped_document(&mut out);
        out
    }

    /// Appends [`Policy::escaped_document`] to `out`.
    pub fn write_escaped_document(&self, out: &mut String) {
        out.push_str(ESCAPED_DOC_HEAD);
        for (i, s) in self.statements.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&s.escaped);
        }
        out.push_str(DOC_TAIL);
    }

    /// The byte length of [`Policy::document`].
    pub fn document_len(&self) -> usize {
        DOC_HEAD.len() + DOC_TAIL.len() + self.statements_len + self.statements.len().saturating_sub(1)
    }
}

/// The RevisionId check of Add/Remove (SPEC §5.3, §5.4). With a policy, `given` must equal its RevisionId. Without
/// one, it must equal `fallback` (the function's, version's or alias's RevisionId); layers pass `None`, so any value
/// fails. `message` is the operation's 412 text.
pub fn check_revision(
    policy: Option<&Policy>,
    given: Option<&str>,
    fallback: Option<&str>,
    message: &str,
) -> Result<(), Error> {
    let Some(given) = given else { return Ok(()) };
    let current = policy.map(Policy::revision_id).or(fallback);
    if current == Some(given) {
        Ok(())
    } else {
        Err(Error::PreconditionFailedException(message.to_owned()))
    }
}

/// The 409 for a Sid already in this policy.
pub fn check_sid_free(policy: Option<&Policy>, sid: &str) -> Result<(), Error> {
    if policy.is_some_and(|p| p.contains(sid)) {
        Err(Error::conflict(format!(
            "The statement id ({sid}) provided already exists. Please provide a new statement id, or remove the existing statement."
        )))
    } else {
        Ok(())
    }
}

/// Appends `statement` if the resulting document stays within [`MAX_POLICY_BYTES`], sets a new RevisionId and
/// returns the stored statement. Nothing changes on error.
pub fn add_statement(slot: &mut Option<Policy>, statement: Statement) -> Result<&StoredStatement, Error> {
    add_stored(slot, StoredStatement::new(statement))
}

/// [`add_statement`] for a statement serialized beforehand: under the lock only the size check and the push remain.
pub fn add_stored(slot: &mut Option<Policy>, stored: StoredStatement) -> Result<&StoredStatement, Error> {
    let final_len = match slot.as_ref() {
        Some(p) => p.document_len() + 1 + stored.json_len as usize,
        None => DOC_HEAD.len() + DOC_TAIL.len() + stored.json_len as usize,
    };
    if final_len > MAX_POLICY_BYTES {
        return Err(Error::PolicyLengthExceededException(format!(
            "The final policy size ({final_len}) is bigger than the limit ({MAX_POLICY_BYTES})."
        )));
    }
    let policy = slot.get_or_insert_with(|| Policy {
        statements: Vec::new(),
        revision_id: String::new(),
        statements_len: 0,
        escaped_len: 0,
    });
    policy.statements_len += stored.json_len as usize;
    policy.escaped_len += stored.escaped.len();
    policy.statements.push(stored);
    policy.revision_id = new_revision_id();
    Ok(policy.statements.last().expect("just pushed"))
}

/// Removes the statement `sid`, sets a new RevisionId, and deletes the policy when it becomes empty. Returns false
/// (changing nothing) when no such statement exists.
pub fn remove_statement(slot: &mut Option<Policy>, sid: &str) -> bool {
    let Some(policy) = slot.as_mut() else { return false };
    let Some(index) = policy.statements.iter().position(|s| s.sid() == sid) else { return false };
    let removed = policy.statements.remove(index);
    policy.statements_len -= removed.json_len as usize;
    policy.escaped_len -= removed.escaped.len();
    if policy.statements.is_empty() {
        *slot = None;
    } else {
        policy.revision_id = new_revision_id();
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_serde_json() {
        for raw in ["", "plain", "q\"uo\\te", "line\nbreak\r\ttab", "\u{0}\u{1f}\u{8}\u{c}", "ünïcödé ✓", "a\u{2028}b"]
        {
            let mut ours = String::new();
            escape_json_into(&mut ours, raw);
            let theirs = serde_json::to_string(raw).unwrap();
            assert_eq!(format!("\"{ours}\""), theirs, "{raw:?}");
            assert_eq!(unescape_json(&ours), raw);
        }
    }

    #[test]
    fn stored_statements_round_trip() {
        let mut with_every_condition = seed_statement();
        with_every_condition.condition.entry("Bool").or_default().insert("lambda:InvokedViaFunctionUrl", "true".into());
        for statement in [seed_statement(), with_every_condition] {
            let stored = StoredStatement::new(statement.clone());
            assert_eq!(stored.sid(), statement.sid);
            assert_eq!(stored.json(), statement.to_json());
            assert_eq!(stored.statement(), statement);
            assert_eq!(stored.json_len as usize, statement.to_json().len());
        }
        let mut slot = None;
        add_statement(&mut slot, seed_statement()).unwrap();
        let p = slot.unwrap();
        assert_eq!(format!("\"{}\"", p.escaped_document()), serde_json::to_string(&p.document()).unwrap());
    }

    fn seed_statement() -> Statement {
        let mut cond = Conditions::new();
        cond.entry("StringEquals").or_default().insert("AWS:SourceAccount", "123456789012".into());
        cond.entry("ArnLike").or_default().insert("AWS:SourceArn", "arn:aws:s3:::my-bucket-1xpuxmplzrlbh".into());
        Statement::allow(
            "s3".into(),
            Principal::Service("s3.amazonaws.com".into()),
            "lambda:InvokeFunction".into(),
            "arn:aws:lambda:us-east-2:123456789012:function:my-function".into(),
            cond,
        )
    }

    #[test]
    fn statement_json_matches_the_seed_byte_for_byte() {
        assert_eq!(
            seed_statement().to_json(),
            r#"{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-2:123456789012:function:my-function","Condition":{"StringEquals":{"AWS:SourceAccount":"123456789012"},"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::my-bucket-1xpuxmplzrlbh"}}}"#
        );
        let s = Statement::allow(
            "xaccount".into(),
            Principal::Aws("arn:aws:iam::223456789012:root".into()),
            "lambda:InvokeFunction".into(),
            "arn:aws:lambda:us-east-2:123456789012:function:my-function".into(),
            Conditions::new(),
        );
        assert_eq!(
            s.to_json(),
            r#"{"Sid":"xaccount","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::223456789012:root"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-2:123456789012:function:my-function"}"#
        );
        let mut star = s.clone();
        star.principal = Principal::Any;
        assert!(star.to_json().contains(r#""Principal":"*","#));
    }

    #[test]
    fn document_and_length_agree() {
        let mut slot = None;
        add_statement(&mut slot, seed_statement()).unwrap();
        let mut second = seed_statement();
        second.sid = "two".into();
        add_statement(&mut slot, second).unwrap();
        let p = slot.as_ref().unwrap();
        let doc = p.document();
        assert_eq!(doc.len(), p.document_len());
        let parsed: serde_json::Value = serde_json::from_str(&doc).unwrap();
        assert_eq!(parsed["Statement"].as_array().unwrap().len(), 2);
        assert!(doc.starts_with(r#"{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"s3""#));
    }

    #[test]
    fn revision_changes_and_empty_policy_is_deleted() {
        let mut slot = None;
        let r0 = {
            add_statement(&mut slot, seed_statement()).unwrap();
            slot.as_ref().unwrap().revision_id().to_owned()
        };
        let mut second = seed_statement();
        second.sid = "two".into();
        add_statement(&mut slot, second).unwrap();
        let r1 = slot.as_ref().unwrap().revision_id().to_owned();
        assert_ne!(r0, r1);
        assert!(!remove_statement(&mut slot, "missing"));
        assert_eq!(slot.as_ref().unwrap().revision_id(), r1);
        assert!(remove_statement(&mut slot, "s3"));
        assert_ne!(slot.as_ref().unwrap().revision_id(), r1);
        assert!(remove_statement(&mut slot, "two"));
        assert!(slot.is_none());
    }

    #[test]
    fn size_limit_rejects_without_change() {
        let mut slot = None;
        let mut i = 0;
        let err = loop {
            let mut s = seed_statement();
            s.sid = format!("sid-{i}");
            i += 1;
            match add_statement(&mut slot, s) {
                Ok(_) => continue,
                Err(e) => break e,
            }
        };
        let p = slot.as_ref().unwrap();
        assert!(p.document_len() <= MAX_POLICY_BYTES);
        let want = p.document_len() + 1 + {
            let mut s = seed_statement();
            s.sid = format!("sid-{}", i - 1);
            s.to_json().len()
        };
        assert_eq!(err.message(), format!("The final policy size ({want}) is bigger than the limit (20480)."));
        assert_eq!(p.statements().count(), i - 1);
    }

    #[test]
    fn revision_checks() {
        let msg = "m";
        assert!(check_revision(None, None, None, msg).is_ok());
        assert!(check_revision(None, Some("x"), None, msg).is_err());
        assert!(check_revision(None, Some("fn-rev"), Some("fn-rev"), msg).is_ok());
        let mut slot = None;
        add_statement(&mut slot, seed_statement()).unwrap();
        let p = slot.as_ref();
        let rev = p.unwrap().revision_id().to_owned();
        assert!(check_revision(p, Some(&rev), Some("fn-rev"), msg).is_ok());
        assert!(check_revision(p, Some("fn-rev"), Some("fn-rev"), msg).is_err());
        assert_eq!(check_sid_free(p, "s3").unwrap_err().code(), "ResourceConflictException");
        assert!(check_sid_free(p, "other").is_ok());
    }
}
