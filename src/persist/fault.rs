//! Fault injection for the state directory (cargo feature `failpoints`, which only the fault tests enable; without
//! it every function here is a constant `None` and compiles away).
//!
//! The fail points, driven by the [`fail`] crate:
//! - `persist::open`: opening the database file (at start, and every reopen after an I/O error) fails;
//! - `persist::write`, `persist::set_len`: a write or length change of the file fails and does nothing;
//! - `persist::sync`: an fsync syncs and then reports an error (whether the commit reached the disk is unknown);
//! - `persist::commit`: a commit fails without I/O: before redb commits (`return`), or after it committed
//!   (`return(after)`: what a lost acknowledgement from the disk looks like).
//!
//! The I/O points take the error as their action's argument: `enospc`, `eio`, `erofs`, `eacces`, `enoent` (default
//! `eio`). Tests configure them with the `FAILPOINTS` environment variable at start (`persist::open=return(eacces)`)
//! or, while the server runs, through `PUT /_lambdalite/test/failpoints/{name}` with the actions as the body
//! (`3*off->return(enospc)`; `off` clears), a route that exists only with the feature. Every fault that fired is
//! counted; `GET /_lambdalite/test/failpoints` shows the count and the configuration.

use std::io;

#[cfg(feature = "failpoints")]
static INJECTED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many injected faults have fired since the start.
pub fn injected() -> u64 {
    #[cfg(feature = "failpoints")]
    {
        INJECTED.load(std::sync::atomic::Ordering::Relaxed)
    }
    #[cfg(not(feature = "failpoints"))]
    {
        0
    }
}

/// The error fail point `name` injects now, if it fires.
#[inline]
pub fn io(name: &str) -> Option<io::Error> {
    #[cfg(feature = "failpoints")]
    {
        let e = fail::eval(name, |arg| errno(arg.as_deref().unwrap_or("eio")))?;
        INJECTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tracing::debug!(failpoint = name, error = %e, "injected fault");
        Some(e)
    }
    #[cfg(not(feature = "failpoints"))]
    {
        let _ = name;
        None
    }
}

/// Whether fail point `name` fires now, with its argument.
#[inline]
pub fn fires(name: &str) -> Option<String> {
    #[cfg(feature = "failpoints")]
    {
        let arg = fail::eval(name, |arg| arg.unwrap_or_default())?;
        INJECTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tracing::debug!(failpoint = name, arg, "injected fault");
        Some(arg)
    }
    #[cfg(not(feature = "failpoints"))]
    {
        let _ = name;
        None
    }
}

/// The Linux errno a fail point's argument names.
#[cfg(feature = "failpoints")]
fn errno(name: &str) -> io::Error {
    // Linux's numbers (the fault tests run on Linux; libc is not a dependency of the server).
    let code = match name {
        "enospc" => 28,
        "erofs" => 30,
        "eacces" => 13,
        "enoent" => 2,
        _ => 5, // eio
    };
    io::Error::from_raw_os_error(code)
}

/// Reads `FAILPOINTS` once at start (the feature's only effect on a server that is not told anything).
pub fn setup_from_env() {
    #[cfg(feature = "failpoints")]
    {
        // The scenario guard keeps the configuration for the life of the process.
        let scenario = fail::FailScenario::setup();
        std::mem::forget(scenario);
    }
}

/// Sets fail point `name` to `actions` (`off` or an empty string removes it).
#[cfg(feature = "failpoints")]
pub fn configure(name: &str, actions: &str) -> Result<(), String> {
    let actions = actions.trim();
    if actions.is_empty() || actions == "off" {
        fail::remove(name);
        return Ok(());
    }
    fail::cfg(name, actions)
}

/// Every configured fail point with its actions.
#[cfg(feature = "failpoints")]
pub fn list() -> Vec<(String, String)> {
    fail::list()
}
