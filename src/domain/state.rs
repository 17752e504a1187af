//! All mutable data: one namespace of functions and layers per (account, region).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use super::arn::Scope;
use super::evaluate::Organization;
use super::function::Function;
use super::layer::Layer;

/// Everything lambdalite holds. Lives behind the store's one `RwLock`.
#[derive(Debug, Default)]
pub struct State {
    /// How long a mutation stays in flight (`--settle-delay-ms`).
    pub settle_delay: Duration,
    /// Which accounts belong to which organization (`--organization`), for `aws:PrincipalOrgID`.
    pub organizations: Vec<Organization>,
    namespaces: HashMap<Scope, Namespace>,
}

/// The resources of one account in one region. `BTreeMap`s keep listings in name order.
#[derive(Debug, Default)]
pub struct Namespace {
    pub functions: BTreeMap<String, Function>,
    pub layers: BTreeMap<String, Layer>,
}

impl State {
    pub fn new(settle_delay: Duration) -> Self {
        State { settle_delay, organizations: Vec::new(), namespaces: HashMap::new() }
    }

    /// The namespace of `scope`, if anything was ever created there.
    pub fn namespace(&self, scope: &Scope) -> Option<&Namespace> {
        self.namespaces.get(scope)
    }

    /// The namespace of `scope`, created empty on first use.
    pub fn namespace_mut(&mut self, scope: &Scope) -> &mut Namespace {
        if !self.namespaces.contains_key(scope) {
            self.namespaces.insert(scope.clone(), Namespace::default());
        }
        self.namespaces.get_mut(scope).expect("just inserted")
    }

    /// The existing namespace of `scope`, without creating one.
    pub fn existing_namespace_mut(&mut self, scope: &Scope) -> Option<&mut Namespace> {
        self.namespaces.get_mut(scope)
    }

    pub fn function(&self, scope: &Scope, name: &str) -> Option<&Function> {
        self.namespace(scope)?.functions.get(name)
    }

    pub fn function_mut(&mut self, scope: &Scope, name: &str) -> Option<&mut Function> {
        self.existing_namespace_mut(scope)?.functions.get_mut(name)
    }

    /// Every namespace, for admin views and export.
    pub fn namespaces(&self) -> impl Iterator<Item = (&Scope, &Namespace)> {
        self.namespaces.iter()
    }

    /// Drops everything (`POST /_lambdalite/reset`).
    pub fn reset(&mut self) {
        self.namespaces.clear();
    }
}
