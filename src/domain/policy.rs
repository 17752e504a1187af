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
        // Serialized straight into its escaped form: one pass, no intermediate JSON string.
        let mut added = 0;
        let mut out = Vec::with_capacity(statement_capacity(&statement));
        let mut serializer = serde_json::Serializer::with_formatter(&mut out, EscapingFormatter { added: &mut added });
        statement.serialize(&mut serializer).expect("a statement always serializes");
        let escaped = String::from_utf8(out).expect("serde_json writes UTF-8");
        debug_assert!(escaped.starts_with(&format!("{ESCAPED_SID_PREFIX}{}\\\"", statement.sid)));
        StoredStatement {
            json_len: (escaped.len() - added) as u32,
            escaped: escaped.into_boxed_str(),
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

/// A guess at a statement's escaped size that is rarely short: its strings, plus the keys and punctuation.
fn statement_capacity(statement: &Statement) -> usize {
    let principal = match &statement.principal {
        Principal::Any => 0,
        Principal::Aws(v) | Principal::Service(v) => v.len(),
    };
    let conditions: usize =
        statement.condition.values().flat_map(|keys| keys.iter()).map(|(k, v)| k.len() + v.len() + 16).sum();
    let strings = statement.sid.len() + principal + statement.action.len() + statement.resource.len() + conditions;
    strings + strings / 8 + 160
}

/// A compact serde_json formatter whose output is already escaped as the contents of a JSON string: what
/// [`escape_json_into`] would make of the compact JSON, written in the same pass. `added` counts the bytes the
/// escaping added, so the unescaped length is known without the unescaped text.
struct EscapingFormatter<'a> {
    added: &'a mut usize,
}

impl serde_json::ser::Formatter for EscapingFormatter<'_> {
    fn begin_string<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        *self.added += 1;
        writer.write_all(b"\\\"")
    }

    fn end_string<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        *self.added += 1;
        writer.write_all(b"\\\"")
    }

    /// serde_json's own escape (`\n`, `\"`, `\u001f`, ...), escaped once more.
    fn write_char_escape<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        char_escape: serde_json::ser::CharEscape,
    ) -> std::io::Result<()> {
        let mut buf = [0u8; 6];
        let mut cursor = &mut buf[..];
        serde_json::ser::Formatter::write_char_escape(
            &mut serde_json::ser::CompactFormatter,
            &mut cursor,
            char_escape,
        )?;
        let len = 6 - cursor.len();
        for &b in &buf[..len] {
            if b == b'\\' || b == b'"' {
                *self.added += 1;
                writer.write_all(&[b'\\', b])?;
            } else {
                writer.write_all(&[b])?;
            }
        }
        Ok(())
    }
}

/// Appends `s` to `out` escaped as the contents of a JSON string, exactly as serde_json escapes (`"`, `\` and
/// control characters; everything else verbatim).
pub fn escape_json_into(out: &mut String, s: &str) {
    /// Which bytes need escaping: `"`, `\` and the control characters.
    const NEEDS_ESCAPE: [bool; 256] = {
        let mut table = [false; 256];
        let mut b = 0;
        while b < 0x20 {
            table[b] = true;
            b += 1;
        }
        table[b'"' as usize] = true;
        table[b'\\' as usize] = true;
        table
    };
    let bytes = s.as_bytes();
    // At least this much is needed; a caller that sized `out` exactly (GetPolicy's body) must not regrow it.
    out.reserve(s.len());
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !NEEDS_ESCAPE[b as usize] {
            continue;
        }
        // Every byte that needs escaping is ASCII, so `i` is a char boundary.
        out.push_str(&s[start..i]);
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 0xf) as usize] as char);
            }
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

    /// The statement added last.
    pub fn last_statement(&self) -> Option<&StoredStatement> {
        self.statements.last()
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
        let mut out = String::with_capacity(self.escaped_document_len());
        self.write_escaped_document(&mut out);
        out
    }

    /// The byte length of [`Policy::escaped_document`].
    pub fn escaped_document_len(&self) -> usize {
        ESCAPED_DOC_HEAD.len() + DOC_TAIL.len() + self.escaped_len + self.statements.len().saturating_sub(1)
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

    proptest::proptest! {
        /// A stored statement is its compact JSON escaped, whatever its strings hold, and knows that JSON's length.
        #[test]
        fn stored_statements_are_their_escaped_json(
            sid in "[a-zA-Z0-9_-]{1,20}",
            strings in proptest::collection::vec("(?s).{0,24}", 6),
            principal_kind in 0u8..3,
            conditions in 0u8..8,
        ) {
            let principal = match principal_kind {
                0 => Principal::Any,
                1 => Principal::Aws(strings[0].clone()),
                _ => Principal::Service(strings[0].clone()),
            };
            let mut condition = Conditions::new();
            if conditions & 1 != 0 {
                condition.entry("StringEquals").or_default().insert("AWS:SourceAccount", strings[3].clone());
            }
            if conditions & 2 != 0 {
                condition.entry("StringEquals").or_default().insert("lambda:EventSourceToken", strings[4].clone());
            }
            if conditions & 4 != 0 {
                condition.entry("ArnLike").or_default().insert("AWS:SourceArn", strings[5].clone());
            }
            let statement = Statement::allow(sid, principal, strings[1].clone(), strings[2].clone(), condition);
            let json = statement.to_json();
            let mut escaped = String::new();
            escape_json_into(&mut escaped, &json);
            let stored = StoredStatement::new(statement.clone());
            proptest::prop_assert_eq!(stored.escaped(), escaped.as_str());
            proptest::prop_assert_eq!(stored.json_len as usize, json.len());
            proptest::prop_assert_eq!(stored.statement(), statement);
        }

        /// Any string, control characters and non-ASCII included, escapes exactly as serde_json writes it.
        #[test]
        fn escaping_matches_serde_json_for_any_string(raw in "(?s).{0,64}", prefix in "[a-z\"]{0,3}") {
            let mut ours = prefix.clone();
            escape_json_into(&mut ours, &raw);
            let theirs = serde_json::to_string(&raw).unwrap();
            proptest::prop_assert_eq!(&ours[prefix.len()..], &theirs[1..theirs.len() - 1]);
        }
    }

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
