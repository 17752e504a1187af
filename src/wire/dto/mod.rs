//! Request and response bodies, named after the model's `<Operation>Request`/`<Operation>Response` shapes as
//! `<Operation>Input`/`<Operation>Output`. serde only: constraint checks live in `service` and `domain`.
//!
//! Request members are `Option` even when the model marks them required, so that a missing member is reported as
//! AWS reports it (`Value null at '<member>' ...`) rather than as a JSON parse error.

pub mod aliases;
pub mod functions;
pub mod layers;
pub mod permissions;
