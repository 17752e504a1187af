//! Resource-based policies, shared by functions and layer versions (SPEC §5.3, §5.4, §6, §7).
//!
//! A policy is an ordered list of statements plus its own RevisionId. Each statement is kept as its compact JSON,
//! serialized once when it is added and stored escaped for the JSON string it is always served in (see
//! [`StoredStatement`]): reads vastly outnumber writes, and the size limit needs the exact byte count.

use bytes::{Bytes, BytesMut};
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
///
/// Hashed with foldhash: AddPermission builds one per request, and SipHash's per-map keys and hashing were most of
/// that cost. The keys are lambdalite's own names, never a client's.
pub type Conditions = IndexMap<&'static str, IndexMap<&'static str, String, ConditionHasher>, ConditionHasher>;

/// The hasher of [`Conditions`].
pub type ConditionHasher = foldhash::fast::RandomState;

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

/// A statement ready to be stored: only the bytes both responses need. AddPermission's `Statement` and GetPolicy's
/// `Policy` are JSON strings *inside* a JSON body, so the statement is serialized already escaped for that position
/// (before the store's lock is taken), and a [`Policy`] holds these bytes. It is also the persisted form of a
/// policy's statements. The typed [`Statement`] is rebuilt on demand (policy evaluation, the state page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredStatement {
    /// The compact statement JSON, escaped as the contents of a JSON string. A `String`, not a `Box<str>`: the
    /// statement lives only until it is copied into its policy, so trimming its capacity would be a wasted copy.
    escaped: String,
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
        let mut out = EscapedWriter { out: String::with_capacity(statement_capacity(&statement)), added: 0 };
        out.statement(&statement);
        let EscapedWriter { out: escaped, added } = out;
        debug_assert!(escaped.starts_with(&format!("{ESCAPED_SID_PREFIX}{}\\\"", statement.sid)));
        StoredStatement { json_len: (escaped.len() - added) as u32, escaped, sid_len: statement.sid.len() as u16 }
    }

    pub fn sid(&self) -> &str {
        &self.escaped[ESCAPED_SID_PREFIX.len()..ESCAPED_SID_PREFIX.len() + self.sid_len as usize]
    }

    /// The statement JSON escaped as the contents of a JSON string (what goes between the quotes on the wire).
    pub fn escaped(&self) -> &str {
        &self.escaped
    }

    /// `(escaped JSON, unescaped length, Sid length)`, for [`Policy::assemble`].
    fn part(&self) -> (&[u8], u32, u16) {
        (self.escaped.as_bytes(), self.json_len, self.sid_len)
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

/// Writes a statement's compact JSON (what `Statement::to_json` gives) already escaped as the contents of a JSON
/// string, in one pass, with no intermediate JSON. `added` counts the bytes the outer escaping added, so the
/// unescaped length is known without the unescaped text. Written by hand because serde_json's formatter hooks
/// escaped byte by byte, which callgrind (bench/instr.py) put at half of AddPermission's instructions; with this
/// writer and the stored escaped statements, AddPermission+RemovePermission went from 47.9k to about 41k
/// instructions per request. The proptests below hold it to serde_json.
struct EscapedWriter {
    out: String,
    added: usize,
}

impl EscapedWriter {
    /// Punctuation and keys: ASCII with quotes, each `"` written as `\"`.
    fn raw(&mut self, escaped: &str, quotes: usize) {
        self.out.push_str(escaped);
        self.added += quotes;
    }

    /// A JSON string value, escaped once for JSON and once more for the enclosing string.
    fn string(&mut self, value: &str) {
        self.raw("\\\"", 1);
        if value.bytes().any(|b| NEEDS_ESCAPE[b as usize]) {
            let mut once = String::with_capacity(value.len() + 8);
            escape_json_into(&mut once, value);
            let before = self.out.len();
            escape_json_into(&mut self.out, &once);
            self.added += self.out.len() - before - once.len();
        } else {
            self.out.push_str(value);
        }
        self.raw("\\\"", 1);
    }

    fn statement(&mut self, st: &Statement) {
        self.raw(r#"{\"Sid\":"#, 2);
        self.string(&st.sid);
        self.raw(r#",\"Effect\":"#, 2);
        self.string(st.effect);
        self.raw(r#",\"Principal\":"#, 2);
        match &st.principal {
            Principal::Any => self.string("*"),
            Principal::Aws(v) | Principal::Service(v) => {
                let key = if matches!(st.principal, Principal::Aws(_)) { "AWS" } else { "Service" };
                self.raw("{", 0);
                self.string(key);
                self.raw(":", 0);
                self.string(v);
                self.raw("}", 0);
            }
        }
        self.raw(r#",\"Action\":"#, 2);
        self.string(&st.action);
        self.raw(r#",\"Resource\":"#, 2);
        self.string(&st.resource);
        if !st.condition.is_empty() {
            self.raw(r#",\"Condition\":{"#, 2);
            for (i, (operator, keys)) in st.condition.iter().enumerate() {
                if i > 0 {
                    self.raw(",", 0);
                }
                self.string(operator);
                self.raw(":{", 0);
                for (j, (key, value)) in keys.iter().enumerate() {
                    if j > 0 {
                        self.raw(",", 0);
                    }
                    self.string(key);
                    self.raw(":", 0);
                    self.string(value);
                }
                self.raw("}", 0);
            }
            self.raw("}", 0);
        }
        self.raw("}", 0);
    }
}

/// Which bytes need escaping in a JSON string: `"`, `\` and the control characters.
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

/// Appends `s` to `out` escaped as the contents of a JSON string, exactly as serde_json escapes (`"`, `\` and
/// control characters; everything else verbatim).
pub fn escape_json_into(out: &mut String, s: &str) {
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
        let mut condition = Conditions::default();
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
///
/// The policy is held as the very bytes GetPolicy answers with, `{"Policy":"<escaped document>","RevisionId":"<id>"}`,
/// with the statements located inside them. GetPolicy (the hot read) then shares the buffer with the response
/// instead of assembling a copy, and a statement costs its escaped JSON plus 16 bytes. A change (add, remove)
/// builds the next buffer, of its exact size, from the previous one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "PolicyRecord", into = "PolicyRecord")]
pub struct Policy {
    body: Bytes,
    /// Each statement's place in `body`, in order.
    entries: Vec<Entry>,
    /// Sum of the statements' unescaped JSON lengths, so the size check is O(1).
    statements_len: usize,
    /// Where the RevisionId starts in `body` (it ends two bytes before the end).
    revision_start: u32,
}

/// One statement of a [`Policy`]: its escaped JSON at `body[start..start + len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    start: u32,
    len: u32,
    json_len: u32,
    sid_len: u16,
}

/// GetPolicy's body around the statements, escaped where they are inside the `Policy` string.
const BODY_HEAD: &str = r#"{"Policy":"{\"Version\":\"2012-10-17\",\"Id\":\"default\",\"Statement\":["#;
const BODY_MIDDLE: &str = r#"]}","RevisionId":""#;
const BODY_TAIL: &str = r#""}"#;
/// Where the escaped document starts in a policy's body.
const DOC_START: usize = r#"{"Policy":""#.len();

impl Policy {
    /// The policy of `statements` (escaped JSON, unescaped length, Sid length) with RevisionId `revision_id`.
    fn assemble<'a>(statements: impl Iterator<Item = (&'a [u8], u32, u16)> + Clone, revision_id: &str) -> Policy {
        let (count, escaped_len) =
            statements.clone().fold((0usize, 0usize), |(n, len), (s, _, _)| (n + 1, len + s.len()));
        let len = BODY_HEAD.len()
            + escaped_len
            + count.saturating_sub(1)
            + BODY_MIDDLE.len()
            + revision_id.len()
            + BODY_TAIL.len();
        let mut body = Vec::with_capacity(len);
        body.extend_from_slice(BODY_HEAD.as_bytes());
        let mut entries = Vec::with_capacity(count);
        let mut statements_len = 0;
        for (i, (escaped, json_len, sid_len)) in statements.enumerate() {
            if i > 0 {
                body.push(b',');
            }
            entries.push(Entry { start: body.len() as u32, len: escaped.len() as u32, json_len, sid_len });
            body.extend_from_slice(escaped);
            statements_len += json_len as usize;
        }
        body.extend_from_slice(BODY_MIDDLE.as_bytes());
        let revision_start = body.len() as u32;
        // RevisionIds are UUIDs, which need no escaping; a stored one is written back as it was read.
        body.extend_from_slice(revision_id.as_bytes());
        body.extend_from_slice(BODY_TAIL.as_bytes());
        debug_assert_eq!(body.len(), len);
        // Length equal to capacity: the buffer becomes the `Bytes` without a copy.
        Policy { body: Bytes::from(body), entries, statements_len, revision_start }
    }

    /// `body[range]`, which always lies on character boundaries of the UTF-8 the body was built from.
    fn text(&self, start: usize, end: usize) -> &str {
        std::str::from_utf8(&self.body[start..end]).expect("a policy body is UTF-8 cut at ASCII delimiters")
    }

    /// A statement's escaped JSON. Internal work (copying, Sid lookups) stays on bytes: checking UTF-8 again on
    /// every change cost more than the rest of AddPermission.
    fn escaped(&self, e: &Entry) -> &[u8] {
        &self.body[e.start as usize..(e.start + e.len) as usize]
    }

    fn sid(&self, e: &Entry) -> &[u8] {
        let start = e.start as usize + ESCAPED_SID_PREFIX.len();
        &self.body[start..start + e.sid_len as usize]
    }

    /// `(escaped JSON, unescaped length, Sid length)` of each statement, for [`Policy::assemble`].
    fn parts(&self) -> impl Iterator<Item = (&[u8], u32, u16)> + Clone {
        self.entries.iter().map(|e| (self.escaped(e), e.json_len, e.sid_len))
    }

    pub fn revision_id(&self) -> &str {
        self.text(self.revision_start as usize, self.body.len() - BODY_TAIL.len())
    }

    /// GetPolicy's whole body, shared rather than copied.
    pub fn body(&self) -> Bytes {
        self.body.clone()
    }

    /// The typed statements, in order (parsed on demand).
    pub fn statements(&self) -> impl Iterator<Item = Statement> + '_ {
        self.entries.iter().map(|e| {
            let escaped = self.text(e.start as usize, (e.start + e.len) as usize);
            Statement::from_json(&unescape_json(escaped))
        })
    }

    pub fn contains(&self, sid: &str) -> bool {
        self.entries.iter().any(|e| self.sid(e) == sid.as_bytes())
    }

    /// The compact policy document GetPolicy returns.
    pub fn document(&self) -> String {
        unescape_json(self.escaped_document())
    }

    /// [`Policy::document`] escaped as the contents of a JSON string: what GetPolicy's body carries.
    pub fn escaped_document(&self) -> &str {
        self.text(DOC_START, self.revision_start as usize - (BODY_MIDDLE.len() - "]}".len()))
    }

    /// The byte length of [`Policy::document`].
    pub fn document_len(&self) -> usize {
        DOC_HEAD.len() + DOC_TAIL.len() + self.statements_len + self.entries.len().saturating_sub(1)
    }
}

/// How a [`Policy`] is persisted (`--state-dir`): its statements and RevisionId. The field names are the on-disk
/// format's.
#[derive(Serialize, Deserialize)]
struct PolicyRecord {
    statements: Vec<StoredStatement>,
    revision_id: String,
    statements_len: usize,
    escaped_len: usize,
}

impl From<Policy> for PolicyRecord {
    fn from(policy: Policy) -> Self {
        let statements: Vec<StoredStatement> = policy
            .parts()
            .map(|(escaped, json_len, sid_len)| StoredStatement {
                escaped: std::str::from_utf8(escaped).expect("statements are UTF-8").to_owned(),
                json_len,
                sid_len,
            })
            .collect();
        PolicyRecord {
            escaped_len: statements.iter().map(|s| s.escaped.len()).sum(),
            statements,
            revision_id: policy.revision_id().to_owned(),
            statements_len: policy.statements_len,
        }
    }
}

impl From<PolicyRecord> for Policy {
    fn from(record: PolicyRecord) -> Self {
        Policy::assemble(record.statements.iter().map(StoredStatement::part), &record.revision_id)
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

/// Appends `statement` if the resulting document stays within [`MAX_POLICY_BYTES`] and sets a new RevisionId.
/// Nothing changes on error.
pub fn add_statement(slot: &mut Option<Policy>, statement: Statement) -> Result<(), Error> {
    add_stored(slot, &StoredStatement::new(statement))
}

/// [`add_statement`] for a statement serialized beforehand: under the lock only the size check and the copy remain.
pub fn add_stored(slot: &mut Option<Policy>, stored: &StoredStatement) -> Result<(), Error> {
    let final_len = match slot.as_ref() {
        Some(p) => p.document_len() + 1 + stored.json_len as usize,
        None => DOC_HEAD.len() + DOC_TAIL.len() + stored.json_len as usize,
    };
    if final_len > MAX_POLICY_BYTES {
        return Err(Error::PolicyLengthExceededException(format!(
            "The final policy size ({final_len}) is bigger than the limit ({MAX_POLICY_BYTES})."
        )));
    }
    let revision_id = new_revision_id();
    match slot {
        Some(policy) => policy.push(stored.part(), &revision_id),
        None => *slot = Some(Policy::assemble(std::iter::once(stored.part()), &revision_id)),
    }
    Ok(())
}

/// Removes the statement `sid`, sets a new RevisionId, and deletes the policy when it becomes empty. Returns false
/// (changing nothing) when no such statement exists.
pub fn remove_statement(slot: &mut Option<Policy>, sid: &str) -> bool {
    let Some(policy) = slot.as_mut() else { return false };
    let Some(index) = policy.entries.iter().position(|e| policy.sid(e) == sid.as_bytes()) else { return false };
    if policy.entries.len() == 1 {
        *slot = None;
    } else {
        policy.remove(index, &new_revision_id());
    }
    true
}

impl Policy {
    /// The body to change in place: its buffer, when no response holds it any more and the RevisionId keeps its
    /// length (so everything after the statements only moves). `None` leaves the body as it was.
    fn take_unique(&mut self, revision_id: &str) -> Option<BytesMut> {
        if revision_id.len() != self.body.len() - BODY_TAIL.len() - self.revision_start as usize {
            return None;
        }
        match std::mem::take(&mut self.body).try_into_mut() {
            Ok(buf) => Some(buf),
            Err(shared) => {
                self.body = shared;
                None
            }
        }
    }

    /// Puts the changed buffer back, with `revision_id` written at the (moved) RevisionId's place.
    fn put_back(&mut self, mut buf: BytesMut, revision_id: &str) {
        let start = self.revision_start as usize;
        buf[start..start + revision_id.len()].copy_from_slice(revision_id.as_bytes());
        self.body = buf.freeze();
    }

    /// Appends a statement. In place when the buffer is free and has room (the room a removed statement left, as
    /// when the same kind of statement comes and goes); otherwise the next body is built at its exact size.
    fn push(&mut self, (escaped, json_len, sid_len): (&[u8], u32, u16), revision_id: &str) {
        let grow = 1 + escaped.len();
        match self.take_unique(revision_id) {
            Some(mut buf) if buf.capacity() - buf.len() >= grow => {
                let last = self.entries.last().expect("a policy has a statement");
                let end = (last.start + last.len) as usize;
                let old_len = buf.len();
                buf.resize(old_len + grow, 0);
                buf.copy_within(end..old_len, end + grow);
                buf[end] = b',';
                buf[end + 1..end + grow].copy_from_slice(escaped);
                self.entries.push(Entry { start: end as u32 + 1, len: escaped.len() as u32, json_len, sid_len });
                self.statements_len += json_len as usize;
                self.revision_start += grow as u32;
                self.put_back(buf, revision_id);
            }
            taken => {
                if let Some(buf) = taken {
                    self.body = buf.freeze();
                }
                let next =
                    Policy::assemble(self.parts().chain(std::iter::once((escaped, json_len, sid_len))), revision_id);
                *self = next;
            }
        }
    }

    /// Removes statement `index` (not the only one). In place when the buffer is free: the bytes after it move down
    /// and the buffer keeps its size, leaving room for the next statement added.
    fn remove(&mut self, index: usize, revision_id: &str) {
        let Some(mut buf) = self.take_unique(revision_id) else {
            let rest = self.parts().enumerate().filter(|(i, _)| *i != index).map(|(_, part)| part);
            *self = Policy::assemble(rest, revision_id);
            return;
        };
        let e = self.entries.remove(index);
        // The statement and one comma next to it: the following one for the first statement, else the preceding.
        let (cut, end) = if index == 0 {
            (e.start as usize, (e.start + e.len) as usize + 1)
        } else {
            (e.start as usize - 1, (e.start + e.len) as usize)
        };
        let removed = end - cut;
        let old_len = buf.len();
        buf.copy_within(end..old_len, cut);
        buf.truncate(old_len - removed);
        for later in &mut self.entries[index..] {
            later.start -= removed as u32;
        }
        self.statements_len -= e.json_len as usize;
        self.revision_start -= removed as u32;
        self.put_back(buf, revision_id);
    }
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
            let mut condition = Conditions::default();
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
        let mut cond = Conditions::default();
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
            Conditions::default(),
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

    proptest::proptest! {
        /// Whatever statements come and go, the held body is GetPolicy's answer for the statements left, each
        /// statement is found where its entry says, and the persisted record reads back as the same policy.
        #[test]
        fn the_body_is_get_policys_answer(
            sids in proptest::collection::vec("[a-z0-9]{1,6}", 1..8),
            values in proptest::collection::vec("(?s).{0,12}", 8),
            removals in proptest::collection::vec(0usize..8, 0..8),
            readers in proptest::collection::vec(proptest::bool::ANY, 16),
        ) {
            let mut slot: Option<Policy> = None;
            let mut kept: Vec<Statement> = Vec::new();
            // A response in flight holds the body it was given: a change must never alter those bytes.
            let mut held: Vec<(Bytes, Vec<u8>)> = Vec::new();
            let mut step = 0;
            let mut maybe_hold = |slot: &Option<Policy>, held: &mut Vec<(Bytes, Vec<u8>)>| {
                if let (Some(p), true) = (slot, readers[step % readers.len()]) {
                    held.push((p.body(), p.body().to_vec()));
                }
                step += 1;
            };
            for (i, sid) in sids.iter().enumerate() {
                if kept.iter().any(|k| &k.sid == sid) {
                    continue;
                }
                maybe_hold(&slot, &mut held);
                let statement = Statement::allow(
                    sid.clone(),
                    Principal::Service(values[i].clone()),
                    "lambda:InvokeFunction".into(),
                    values[(i + 1) % values.len()].clone(),
                    Conditions::default(),
                );
                add_statement(&mut slot, statement.clone()).unwrap();
                kept.push(statement);
            }
            for r in removals {
                if kept.is_empty() {
                    break;
                }
                let gone = kept.remove(r % kept.len());
                maybe_hold(&slot, &mut held);
                proptest::prop_assert!(remove_statement(&mut slot, &gone.sid));
            }
            for (bytes, copy) in &held {
                proptest::prop_assert_eq!(&bytes[..], &copy[..]);
            }
            let Some(policy) = slot else {
                proptest::prop_assert!(kept.is_empty());
                return Ok(());
            };
            let statements: Vec<String> = kept.iter().map(Statement::to_json).collect();
            let document =
                format!(r#"{{"Version":"2012-10-17","Id":"default","Statement":[{}]}}"#, statements.join(","));
            let answer = serde_json::json!({"Policy": document, "RevisionId": policy.revision_id()});
            let answer = serde_json::to_string(&answer).unwrap();
            proptest::prop_assert_eq!(&policy.body()[..], answer.as_bytes());
            proptest::prop_assert_eq!(policy.document(), document.clone());
            proptest::prop_assert_eq!(policy.document_len(), document.len());
            proptest::prop_assert_eq!(policy.statements().collect::<Vec<_>>(), kept.clone());
            for k in &kept {
                proptest::prop_assert!(policy.contains(&k.sid));
            }
            let record = serde_json::to_string(&policy).unwrap();
            proptest::prop_assert_eq!(serde_json::from_str::<Policy>(&record).unwrap(), policy);
        }
    }

    #[test]
    fn a_statement_that_comes_and_goes_reuses_the_buffer() {
        let mut slot = None;
        for sid in ["a1", "b1", "c1"] {
            let mut st = seed_statement();
            st.sid = sid.into();
            add_statement(&mut slot, st).unwrap();
        }
        let mut st = seed_statement();
        st.sid = "x1".into();
        add_statement(&mut slot, st).unwrap();
        assert!(remove_statement(&mut slot, "x1"));
        let buffer = slot.as_ref().unwrap().body().as_ptr();
        let revision = slot.as_ref().unwrap().revision_id().to_owned();
        // Same-sized statement: added and removed again without a new buffer, with fresh RevisionIds.
        let mut st = seed_statement();
        st.sid = "y1".into();
        add_statement(&mut slot, st).unwrap();
        assert_eq!(slot.as_ref().unwrap().body().as_ptr(), buffer);
        assert_ne!(slot.as_ref().unwrap().revision_id(), revision);
        assert!(remove_statement(&mut slot, "b1"));
        assert_eq!(slot.as_ref().unwrap().body().as_ptr(), buffer);
        let p = slot.as_ref().unwrap();
        let sids: Vec<String> = p.statements().map(|s| s.sid).collect();
        assert_eq!(sids, ["a1", "c1", "y1"]);
        assert_eq!(p.document().len(), p.document_len());
        // While a response holds the body, a change builds a new one and leaves the held bytes alone.
        let held = p.body();
        let before = held.to_vec();
        assert!(remove_statement(&mut slot, "c1"));
        assert_eq!(&held[..], &before[..]);
        assert_ne!(slot.as_ref().unwrap().body().as_ptr(), held.as_ptr());
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
