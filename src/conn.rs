//! The header-read timeout, kept per connection instead of per request; the body-read timeout, kept per request
//! body ([`StallGuard`]); the cap on concurrent connections is in `crate::serve`.
//!
//! hyper's own `header_read_timeout` arms a timer for every request it reads: a boxed sleep, registered in the
//! runtime's timer wheel and removed again once the head has arrived. Under bench/instr.py that was about 1,700
//! instructions of a GetPolicy's 25,600. Here a connection only notes, in two atomics, when it started receiving a
//! request and how many of its requests are being served; one watchdog per connection looks at those a few times
//! per timeout and closes the connection when a request has been arriving for longer than the timeout.
//!
//! What counts as "arriving": bytes were read while none of the connection's requests was being served, and no
//! request has reached the service since. Bodies are read while their request is being served, so a slow upload
//! is not cut; an idle keep-alive connection has sent nothing, so it is kept (the client closes it). A request
//! whose answer is never produced (its future dropped because the connection is going away) leaves the count up,
//! which only turns the clock off for a connection that is closing anyway.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use std::future::Future;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// One connection's state; see the module documentation.
#[derive(Debug)]
pub struct HeaderClock {
    epoch: Instant,
    /// When the current request started arriving: milliseconds since `epoch`, plus one; 0 when none is.
    arriving_since: AtomicU64,
    /// Requests handed to the service and not answered yet.
    in_service: AtomicU32,
}

impl HeaderClock {
    pub fn new() -> Arc<Self> {
        Arc::new(HeaderClock {
            epoch: Instant::now(),
            arriving_since: AtomicU64::new(0),
            in_service: AtomicU32::new(0),
        })
    }

    fn now_mark(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64 + 1
    }

    /// Bytes were read from the client.
    fn on_read(&self) {
        if self.in_service.load(Ordering::Relaxed) == 0 && self.arriving_since.load(Ordering::Relaxed) == 0 {
            self.arriving_since.store(self.now_mark(), Ordering::Relaxed);
        }
    }

    /// A request's head has been read and goes to the service.
    pub fn begin(&self) {
        self.in_service.fetch_add(1, Ordering::Relaxed);
        self.arriving_since.store(0, Ordering::Relaxed);
    }

    /// The service answered a request.
    pub fn end(&self) {
        self.in_service.fetch_sub(1, Ordering::Relaxed);
    }

    /// Whether a request has been arriving for longer than `timeout`.
    fn overdue(&self, timeout: Duration) -> bool {
        let since = self.arriving_since.load(Ordering::Relaxed);
        since != 0 && self.now_mark().saturating_sub(since) > timeout.as_millis() as u64
    }

    /// Resolves once a request has been arriving for longer than `timeout`: the connection should be closed. Looks
    /// four times per timeout, so a connection is closed between 1× and 1.25× the timeout after its request began.
    pub async fn expired(&self, timeout: Duration) {
        let every = (timeout / 4).max(Duration::from_millis(1));
        loop {
            tokio::time::sleep(every).await;
            if self.overdue(timeout) {
                return;
            }
        }
    }
}

/// A client stream that tells its [`HeaderClock`] when bytes arrive.
#[derive(Debug)]
pub struct ClockedStream<S> {
    inner: S,
    clock: Arc<HeaderClock>,
}

impl<S> ClockedStream<S> {
    pub fn new(inner: S, clock: Arc<HeaderClock>) -> Self {
        ClockedStream { inner, clock }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ClockedStream<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.clock.on_read();
        }
        result
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ClockedStream<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A request body that fails with [`BodyStalled`] when no byte of it has arrived for `timeout` while it is being
/// read (an idle timeout, as nginx's `client_body_timeout`: a slow upload that keeps moving is not cut). The timer is
/// armed only when a read finds nothing waiting, so a body that came with its headers costs no timer.
pub struct StallGuard<B> {
    inner: B,
    timeout: Duration,
    /// Reused across stalls; `armed` says whether it runs for the current one.
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    armed: bool,
}

impl<B> StallGuard<B> {
    pub fn new(inner: B, timeout: Duration) -> Self {
        StallGuard { inner, timeout, sleep: None, armed: false }
    }
}

/// The error a [`StallGuard`] body ends with; `crate::http::extract` answers it with a 408.
#[derive(Debug, Clone, Copy)]
pub struct BodyStalled(pub Duration);

impl std::fmt::Display for BodyStalled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no byte of the request body arrived for {} ms", self.0.as_millis())
    }
}

impl std::error::Error for BodyStalled {}

impl<B> hyper::body::Body for StallGuard<B>
where
    B: hyper::body::Body<Data = bytes::Bytes> + Unpin,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Data = bytes::Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                this.armed = false;
                Poll::Ready(frame.map(|f| f.map_err(Into::into)))
            }
            Poll::Pending => {
                let deadline = tokio::time::Instant::now() + this.timeout;
                let sleep = this.sleep.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                if !this.armed {
                    sleep.as_mut().reset(deadline);
                    this.armed = true;
                }
                match sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyStalled(this.timeout))))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

/// Whether `e` (an error from reading a request body, through any wrapping) is a [`BodyStalled`].
pub fn stalled(e: &(dyn std::error::Error + 'static)) -> Option<BodyStalled> {
    let mut next = Some(e);
    while let Some(e) = next {
        if let Some(s) = e.downcast_ref::<BodyStalled>() {
            return Some(*s);
        }
        next = e.source();
    }
    None
}

/// Connections refused by the connection cap: closed at once, and said in the log at most every 10 s.
#[derive(Debug, Default)]
pub struct Refusals {
    since_last_line: u64,
    last_line: Option<Instant>,
}

impl Refusals {
    pub fn refuse(&mut self, stream: tokio::net::TcpStream) {
        drop(stream);
        self.since_last_line += 1;
        if self.last_line.is_none_or(|t| t.elapsed() >= Duration::from_secs(10)) {
            tracing::warn!(
                refused = self.since_last_line,
                "too many connections (--max-connections): new ones are closed at once until some end"
            );
            self.last_line = Some(Instant::now());
            self.since_last_line = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_overdue_only_while_it_arrives() {
        let clock = HeaderClock::new();
        let timeout = Duration::from_millis(20);
        assert!(!clock.overdue(Duration::ZERO), "nothing arrived yet");
        clock.on_read();
        std::thread::sleep(Duration::from_millis(30));
        assert!(clock.overdue(timeout));
        // The head arrived: served, not arriving.
        clock.begin();
        assert!(!clock.overdue(Duration::ZERO));
        // Body bytes read while the request is served do not start the clock.
        clock.on_read();
        std::thread::sleep(Duration::from_millis(30));
        assert!(!clock.overdue(timeout));
        // After the answer, the next request's first bytes do.
        clock.end();
        clock.on_read();
        assert!(!clock.overdue(timeout));
        std::thread::sleep(Duration::from_millis(30));
        assert!(clock.overdue(timeout));
    }
}
