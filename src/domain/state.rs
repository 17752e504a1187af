//! All mutable data: one namespace of functions and layers per (account, region).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use super::arn::Scope;
use super::evaluate::Organization;
use super::function::Function;
use super::layer::Layer;

/// Everything lambdalite holds. Lives behind the store's one `RwLock`.
///
/// Mutation goes through the `*_mut`/`insert_*`/`remove_*` accessors below and never through a namespace's maps
/// directly: with `--state-dir`, each accessor notes which function or layer it handed out in the [`Journal`], and
/// the store writes those entities to disk before the request is answered. A handed-out entity that was not changed
/// in the end is written again unchanged, which costs a write but loses nothing.
#[derive(Debug, Default)]
pub struct State {
    /// How long a mutation stays in flight (`--settle-delay-ms`).
    pub settle_delay: Duration,
    /// Which accounts belong to which organization (`--organization`), for `aws:PrincipalOrgID`.
    pub organizations: Vec<Organization>,
    /// The most code the server holds (`--code-storage-limit`), counted as [`State::code_storage_used`] counts;
    /// `None`: no limit.
    pub code_storage_limit: Option<u64>,
    /// foldhash rather than SipHash: every request looks its namespace up, and hashing the scope with SipHash cost
    /// more than the lookup. The keys come from the caller's own credentials, so HashDoS is not a concern here.
    namespaces: Namespaces,
    /// `Some` when the state is durable: what the current write touched.
    journal: Option<Journal>,
}

/// The resources of one account in one region. `BTreeMap`s keep listings in name order.
#[derive(Debug, Default)]
pub struct Namespace {
    pub functions: BTreeMap<String, Function>,
    pub layers: BTreeMap<String, Layer>,
}

impl Namespace {
    fn code_storage_used(&self) -> u64 {
        let functions: u64 = self
            .functions
            .values()
            .map(|f| f.latest.code.size + f.versions.values().map(|v| v.config.code.size).sum::<u64>())
            .sum();
        let layers: u64 = self.layers.values().flat_map(|l| l.versions.values()).map(|v| v.content.size).sum();
        functions + layers
    }
}

/// An entity the durable store keeps as one record: a function with its versions, aliases and policies, or a layer
/// with its versions and their policies.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EntityKey {
    Function(Scope, String),
    Layer(Scope, String),
}

/// What one write touched, in first-touch order, and how to take it back.
#[derive(Debug, Default)]
pub struct Journal {
    /// Everything was dropped first (`POST /_lambdalite/reset`).
    pub reset: bool,
    /// The entities to write, touched since the last reset of this write.
    pub touched: Vec<EntityKey>,
    /// What the touched entities were before the write, in touch order: [`State::undo`] puts them back when the
    /// write cannot be made durable, so nothing that was refused stays visible.
    pub undo: Vec<Undo>,
}

/// How one entity (or, for a reset, the whole state) was before a write changed it.
#[derive(Debug)]
pub enum Undo {
    Function(Scope, String, Option<Box<Function>>),
    Layer(Scope, String, Option<Layer>),
    Reset(Namespaces),
}

type Namespaces = HashMap<Scope, Namespace, foldhash::fast::RandomState>;

impl State {
    pub fn new(settle_delay: Duration) -> Self {
        State { settle_delay, ..State::default() }
    }

    /// The bytes of code `scope` holds, counted as AWS counts TotalCodeSize: `$LATEST`'s zip and every published
    /// version's, and every layer version's archive, each once per version even where lambdalite keeps one copy
    /// (a version published from `$LATEST` shares its zip; identical zips are one blob on disk).
    pub fn code_storage_used(&self, scope: &Scope) -> u64 {
        self.namespace(scope).map_or(0, Namespace::code_storage_used)
    }

    /// `Err(CodeStorageExceededException)` when holding `added` more bytes of code, after `freed` bytes are let go,
    /// would take the server past its limit. The limit holds for all accounts and regions together (AWS's quota is
    /// per account and region): it bounds the memory the code takes whatever credentials clients sign with.
    pub fn ensure_code_room(&self, added: u64, freed: u64) -> Result<(), crate::error::Error> {
        let Some(limit) = self.code_storage_limit.filter(|_| added > freed) else { return Ok(()) };
        let used: u64 = self.namespaces.values().map(Namespace::code_storage_used).sum();
        if used.saturating_sub(freed).saturating_add(added) > limit {
            return Err(crate::error::Error::CodeStorageExceededException("Code storage limit exceeded.".into()));
        }
        Ok(())
    }

    /// Starts noting touched entities (the state is durable from now on).
    pub fn enable_journal(&mut self) {
        self.journal = Some(Journal::default());
    }

    /// What was touched since the last call, or `None` when the state is not durable or nothing was touched.
    pub fn take_journal(&mut self) -> Option<Journal> {
        let journal = self.journal.as_mut()?;
        if !journal.reset && journal.touched.is_empty() && journal.undo.is_empty() {
            return None;
        }
        Some(std::mem::take(journal))
    }

    /// Notes that `key` is about to be handed out for change, with what it is now (first touch only).
    fn touch(&mut self, key: impl FnOnce() -> EntityKey) {
        let Some(journal) = &mut self.journal else { return };
        let key = key();
        // A write touches one or two entities; a linear scan beats hashing here.
        if journal.touched.contains(&key) {
            return;
        }
        let before = match &key {
            EntityKey::Function(scope, name) => {
                let f = self.namespaces.get(scope).and_then(|ns| ns.functions.get(name)).map(|f| Box::new(f.clone()));
                Undo::Function(scope.clone(), name.clone(), f)
            }
            EntityKey::Layer(scope, name) => {
                let l = self.namespaces.get(scope).and_then(|ns| ns.layers.get(name)).cloned();
                Undo::Layer(scope.clone(), name.clone(), l)
            }
        };
        journal.undo.push(before);
        journal.touched.push(key);
    }

    /// Takes back writes whose journals' `undo` lists these are, given newest first: each entity goes back to what
    /// it was before. Journals nothing.
    pub fn undo(&mut self, undo: Vec<Undo>) {
        for step in undo.into_iter().rev() {
            match step {
                Undo::Function(scope, name, before) => {
                    let ns = self.namespaces.entry(scope).or_default();
                    match before {
                        Some(f) => ns.functions.insert(name, *f),
                        None => ns.functions.remove(&name),
                    };
                }
                Undo::Layer(scope, name, before) => {
                    let ns = self.namespaces.entry(scope).or_default();
                    match before {
                        Some(l) => ns.layers.insert(name, l),
                        None => ns.layers.remove(&name),
                    };
                }
                Undo::Reset(before) => self.namespaces = before,
            }
        }
    }

    /// The namespace of `scope`, if anything was ever created there.
    pub fn namespace(&self, scope: &Scope) -> Option<&Namespace> {
        self.namespaces.get(scope)
    }

    /// The namespace of `scope`, created empty on first use. Private: mutation goes through the accessors that
    /// journal it.
    fn namespace_mut(&mut self, scope: &Scope) -> &mut Namespace {
        if !self.namespaces.contains_key(scope) {
            self.namespaces.insert(scope.clone(), Namespace::default());
        }
        self.namespaces.get_mut(scope).expect("just inserted")
    }

    pub fn function(&self, scope: &Scope, name: &str) -> Option<&Function> {
        self.namespace(scope)?.functions.get(name)
    }

    pub fn function_mut(&mut self, scope: &Scope, name: &str) -> Option<&mut Function> {
        self.touch(|| EntityKey::Function(scope.clone(), name.to_owned()));
        self.namespaces.get_mut(scope)?.functions.get_mut(name)
    }

    /// Adds (or replaces) a function.
    pub fn insert_function(&mut self, scope: &Scope, function: Function) {
        self.touch(|| EntityKey::Function(scope.clone(), function.name.clone()));
        self.namespace_mut(scope).functions.insert(function.name.clone(), function);
    }

    /// Deletes a function with everything that hangs off it.
    pub fn remove_function(&mut self, scope: &Scope, name: &str) -> Option<Function> {
        self.touch(|| EntityKey::Function(scope.clone(), name.to_owned()));
        self.namespaces.get_mut(scope)?.functions.remove(name)
    }

    pub fn layer(&self, scope: &Scope, name: &str) -> Option<&Layer> {
        self.namespace(scope)?.layers.get(name)
    }

    pub fn layer_mut(&mut self, scope: &Scope, name: &str) -> Option<&mut Layer> {
        self.touch(|| EntityKey::Layer(scope.clone(), name.to_owned()));
        self.namespaces.get_mut(scope)?.layers.get_mut(name)
    }

    /// The layer `name`, created without versions on first use.
    pub fn layer_entry(&mut self, scope: &Scope, name: &str) -> &mut Layer {
        self.touch(|| EntityKey::Layer(scope.clone(), name.to_owned()));
        self.namespace_mut(scope).layers.entry(name.to_owned()).or_insert_with(|| Layer::new(name))
    }

    /// Adds (or replaces) a layer: how a durable state is loaded back.
    pub fn insert_layer(&mut self, scope: &Scope, layer: Layer) {
        self.touch(|| EntityKey::Layer(scope.clone(), layer.name.clone()));
        self.namespace_mut(scope).layers.insert(layer.name.clone(), layer);
    }

    /// Every namespace, for admin views and export.
    pub fn namespaces(&self) -> impl Iterator<Item = (&Scope, &Namespace)> {
        self.namespaces.iter()
    }

    /// Drops everything (`POST /_lambdalite/reset`).
    pub fn reset(&mut self) {
        let before = std::mem::take(&mut self.namespaces);
        if let Some(journal) = &mut self.journal {
            journal.reset = true;
            journal.touched.clear();
            journal.undo.push(Undo::Reset(before));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_notes_each_touched_entity_once_and_only_when_enabled() {
        let scope = Scope::new("000000000000", "us-east-1");
        let mut s = State::default();
        s.layer_entry(&scope, "l");
        assert!(s.take_journal().is_none(), "not durable: nothing noted");

        s.enable_journal();
        assert!(s.take_journal().is_none(), "nothing touched yet");
        s.layer_entry(&scope, "l");
        s.layer_mut(&scope, "l");
        s.function_mut(&scope, "missing");
        let j = s.take_journal().expect("touched");
        assert!(!j.reset);
        assert_eq!(
            j.touched,
            vec![EntityKey::Layer(scope.clone(), "l".into()), EntityKey::Function(scope.clone(), "missing".into())]
        );
        assert!(s.take_journal().is_none(), "taken");

        s.layer_mut(&scope, "l");
        s.reset();
        let j = s.take_journal().expect("reset");
        assert!(j.reset && j.touched.is_empty());
        assert!(s.layer(&scope, "l").is_none());
    }

    #[test]
    fn undo_takes_writes_back_newest_first_reset_included() {
        let scope = Scope::new("000000000000", "us-east-1");
        let mut s = State::default();
        s.enable_journal();
        s.layer_entry(&scope, "kept").next_version = 7;
        s.take_journal();

        // Three writes, as three batches would hold them: change, reset, create again.
        s.layer_mut(&scope, "kept").unwrap().next_version = 8;
        s.layer_entry(&scope, "new");
        let first = s.take_journal().unwrap().undo;
        s.reset();
        let second = s.take_journal().unwrap().undo;
        s.layer_entry(&scope, "kept").next_version = 1;
        let third = s.take_journal().unwrap().undo;
        assert_eq!(s.layer(&scope, "kept").unwrap().next_version, 1);

        // Taken back newest first (a refused commit group and everything queued behind it).
        for undo in [third, second, first] {
            s.undo(undo);
        }
        assert_eq!(s.layer(&scope, "kept").unwrap().next_version, 7);
        assert!(s.layer(&scope, "new").is_none());
        assert!(s.take_journal().is_none(), "undoing journals nothing");
    }

    #[test]
    fn code_storage_counts_every_version_and_the_limit_holds_for_the_server() {
        use crate::domain::layer::LayerVersion;
        let (a, b) = (Scope::new("000000000000", "us-east-1"), Scope::new("111111111111", "eu-west-1"));
        let mut s = State { code_storage_limit: Some(1000), ..State::default() };
        let mut layer = Layer::new("l");
        for n in [1, 2] {
            let content =
                crate::domain::function::Code { sha256: String::new(), size: 300, zip: None, image_uri: None };
            layer.versions.insert(
                n,
                LayerVersion {
                    version: n,
                    description: String::new(),
                    created_date: String::new(),
                    content,
                    compatible_runtimes: None,
                    compatible_architectures: None,
                    license_info: None,
                    policy: None,
                },
            );
        }
        s.insert_layer(&a, layer);
        assert_eq!((s.code_storage_used(&a), s.code_storage_used(&b)), (600, 0));
        assert!(s.ensure_code_room(400, 0).is_ok());
        assert_eq!(s.ensure_code_room(401, 0).unwrap_err().code(), "CodeStorageExceededException");
        assert!(s.ensure_code_room(401, 1).is_ok(), "what is let go makes room");
        s.code_storage_limit = None;
        assert!(s.ensure_code_room(u64::MAX, 0).is_ok());
    }
}
