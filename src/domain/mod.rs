//! The emulated service with no HTTP in it: names and ARNs, model validation, policies, functions and layers, and
//! the `State` that holds them. Everything here is synchronous, so it can run under the store's lock without ever
//! awaiting.

pub mod arn;
pub mod evaluate;
pub mod function;
pub mod function_name;
pub mod layer;
pub mod patterns;
pub mod policy;
pub mod runtimes;
pub mod state;
pub mod validate;
