//! The server's log on stderr: the filter (`RUST_LOG`, default `info`), a text format cheaper than
//! tracing-subscriber's default but writing the same bytes, and a writer that batches lines into few write(2)s.
//!
//! At the default level every request writes a line (`lambdalite::request`), so the line's cost is part of every
//! request's: with the default formatter and an unbuffered stderr it was about 13,500 instructions and one write(2)
//! per request, against about 29,000 instructions for a whole GetPolicy without the line.
//!
//! A binary-only module: nothing here is needed by a test or another binary that builds the app from the library.

use std::fmt::{self, Write as _};
use std::io::{self, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lambdalite::config::LogFormat;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::format::{Format, Full, Writer};
use tracing_subscriber::fmt::time::{FormatTime, SystemTime as DefaultTimer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry};

/// How long the first line of a batch may wait for others before the batch is written: short enough that a line
/// shows up at once for someone watching (and for tests waiting for it), long enough to gather a loaded server's
/// lines into a few large writes.
const BATCH_DELAY: Duration = Duration::from_millis(5);

/// Above this many bytes waiting, the line's writer writes the batch itself (waiting for stderr, as every line did
/// before batching) rather than let a stalled reader of stderr grow the buffer without bound.
const MAX_PENDING: usize = 256 * 1024;

/// The writer [`init`] installed, for [`finish`].
static WRITER: OnceLock<BatchWriter> = OnceLock::new();

/// Installs the global subscriber: the filter, the format (colours only on a terminal), the batching writer, and a
/// panic hook that writes pending lines before the panic message.
pub fn init(format: LogFormat) {
    let writer = BatchWriter::new(Box::new(io::stderr()), BATCH_DELAY);
    let _ = WRITER.set(writer.clone());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if let Some(writer) = WRITER.get() {
            writer.shared.flush_if_free();
        }
        previous(info)
    }));
    // Colour codes only for a terminal: piped into a file or a CI log they are noise that breaks grep.
    let ansi = io::IsTerminal::is_terminal(&io::stderr());
    let layer = tracing_subscriber::fmt::layer().with_writer(writer).with_ansi(ansi);
    let registry = tracing_subscriber::registry().with(filter());
    match format {
        LogFormat::Text => registry.with(layer.event_format(TextFormat::default())).init(),
        LogFormat::Json => registry.with(layer.json().flatten_event(true)).init(),
    }
}

/// Writes the lines still waiting, and from then on every line as it comes: for the end of `main`, whatever ends
/// the server (SIGTERM, Ctrl-C, an error at start-up), and before a message `main` prints on stderr itself.
pub fn finish() {
    if let Some(writer) = WRITER.get() {
        writer.shared.finish();
    }
}

/// `RUST_LOG` as an `EnvFilter` when it is set; otherwise `info` as a plain level filter, which means the same
/// (every target at INFO and above) without `EnvFilter`'s directive parser and its compiled regexes (start-up time
/// and idle memory). An unusable `RUST_LOG` falls back to `info`, as before.
fn filter() -> Box<dyn Layer<Registry> + Send + Sync> {
    if std::env::var_os(EnvFilter::DEFAULT_ENV).is_some() {
        if let Ok(filter) = EnvFilter::try_from_default_env() {
            return Box::new(filter);
        }
    }
    Box::new(LevelFilter::INFO)
}

// ---------------------------------------------------------------------------------------------------------------
// The text format

/// tracing-subscriber's default text format (`Format<Full>` with ANSI off: timestamp, level, target, message,
/// `key=value` fields), byte for byte, without its generic machinery: no `core::fmt` for the timestamp, the level,
/// the target, plain strings and integers, and no colour painting. What it does not do itself it leaves to the
/// default formatter, which then writes exactly what it always did: colour (a terminal), events inside spans, and
/// records of the `log` crate.
#[derive(Debug, Default)]
pub struct TextFormat {
    fallback: Format<Full, DefaultTimer>,
}

impl<S, N> FormatEvent<S, N> for TextFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let meta = event.metadata();
        // `log` records (through tracing-log) are shown under their own target and level, which only the default
        // formatter can recover.
        if writer.has_ansi_escapes() || meta.target() == "log" || ctx.event_scope().is_some() {
            return self.fallback.format_event(ctx, writer, event);
        }
        let sanitize = writer.sanitizes_ansi_escapes();
        let mut line = Line { out: &mut writer, buf: [0; LINE_BUFFER], len: 0 };
        write_timestamp(&mut line)?;
        line.write_str(level_str(meta.level()))?;
        line.write_str(meta.target())?;
        line.write_str(": ")?;
        let mut fields = FieldWriter { line: &mut line, first: true, sanitize, result: Ok(()) };
        event.record(&mut fields);
        fields.result?;
        line.write_char('\n')?;
        line.flush()
    }
}

/// Bytes of a line gathered before they go to the fmt layer's writer; a request line is about 250.
const LINE_BUFFER: usize = 512;

/// A line being formatted. The fmt layer's [`Writer`] is a `dyn fmt::Write` over a `String`, and a line is some
/// forty small pieces: they are gathered here and handed over in one call (or a few, for a long line).
struct Line<'w, 'a> {
    out: &'w mut Writer<'a>,
    /// Whole `str`s and ASCII bytes only, so always UTF-8.
    buf: [u8; LINE_BUFFER],
    len: usize,
}

impl Line<'_, '_> {
    fn flush(&mut self) -> fmt::Result {
        let text = std::str::from_utf8(&self.buf[..self.len]).map_err(|_| fmt::Error)?;
        self.out.write_str(text)?;
        self.len = 0;
        Ok(())
    }

    /// The next `n` bytes of the line (`n` at most [`LINE_BUFFER`]), for ASCII only.
    fn ascii(&mut self, n: usize) -> Result<&mut [u8], fmt::Error> {
        if LINE_BUFFER - self.len < n {
            self.flush()?;
        }
        self.len += n;
        Ok(&mut self.buf[self.len - n..self.len])
    }
}

impl fmt::Write for Line<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if LINE_BUFFER - self.len < s.len() {
            self.flush()?;
            if s.len() > LINE_BUFFER {
                return self.out.write_str(s);
            }
        }
        self.buf[self.len..self.len + s.len()].copy_from_slice(s.as_bytes());
        self.len += s.len();
        Ok(())
    }

    fn write_char(&mut self, c: char) -> fmt::Result {
        if c.is_ascii() {
            self.ascii(1)?[0] = c as u8;
            Ok(())
        } else {
            self.write_str(c.encode_utf8(&mut [0; 4]))
        }
    }
}

/// The level as the default format shows it without colour: five columns, right-aligned, then a space.
fn level_str(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "TRACE ",
        Level::DEBUG => "DEBUG ",
        Level::INFO => " INFO ",
        Level::WARN => " WARN ",
        Level::ERROR => "ERROR ",
    }
}

/// The default timer's RFC 3339 UTC timestamp with microseconds (`2026-11-23T05:48:51.834682Z`) and a space.
fn write_timestamp(line: &mut Line<'_, '_>) -> fmt::Result {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(since) if since.as_secs() < LAST_4_DIGIT_YEAR_END => {
            let buf: &mut [u8; TIMESTAMP_LEN] = line.ascii(TIMESTAMP_LEN)?.try_into().map_err(|_| fmt::Error)?;
            format_timestamp(since.as_secs(), since.subsec_micros(), buf);
        }
        // Before 1970 or after 9999: the default timer's own spelling.
        _ => {
            line.flush()?;
            if DefaultTimer.format_time(line.out).is_err() {
                line.write_str("<unknown time>")?;
            }
        }
    }
    line.write_char(' ')
}

const TIMESTAMP_LEN: usize = "2026-11-23T05:48:51.834682Z".len();

/// 10000-01-01T00:00:00Z in seconds since the epoch: from then on the default timer writes a `+` and five digits.
const LAST_4_DIGIT_YEAR_END: u64 = 253_402_300_800;

/// `secs` since the epoch (before year 10000) and `micros` as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
fn format_timestamp(secs: u64, micros: u32, buf: &mut [u8; TIMESTAMP_LEN]) {
    let (year, month, day) = civil_from_days(secs / 86_400);
    let second_of_day = secs % 86_400;
    let fields: [(usize, u64, usize); 7] = [
        (0, year, 4),
        (5, month, 2),
        (8, day, 2),
        (11, second_of_day / 3600, 2),
        (14, second_of_day / 60 % 60, 2),
        (17, second_of_day % 60, 2),
        (20, u64::from(micros), 6),
    ];
    for (at, value, width) in fields {
        write_digits(value, &mut buf[at..at + width]);
    }
    for (at, separator) in [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':'), (19, b'.'), (26, b'Z')] {
        buf[at] = separator;
    }
}

/// `value`'s last `out.len()` decimal digits, zero-padded.
fn write_digits(mut value: u64, out: &mut [u8]) {
    for digit in out.iter_mut().rev() {
        *digit = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// (year, month, day) of the proleptic Gregorian calendar for a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, for days on or after the epoch).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// The default format's field visitor (`DefaultVisitor`, ANSI off): the message first as it is (ANSI escapes
/// sanitized), then ` name=value`, strings Debug-quoted, `%` values in Display and `?` values in Debug, `r#` taken
/// off names, the `log.` fields of `log` records left out.
struct FieldWriter<'l, 'w, 'a> {
    line: &'l mut Line<'w, 'a>,
    first: bool,
    sanitize: bool,
    result: fmt::Result,
}

impl FieldWriter<'_, '_, '_> {
    /// The separator and `name=` for a field that is not the message; `false` for a field to leave out.
    fn name(&mut self, name: &str) -> bool {
        if self.result.is_err() || name.starts_with("log.") {
            return false;
        }
        self.pad();
        let name = name.strip_prefix("r#").unwrap_or(name);
        self.result = self.result.and_then(|()| self.line.write_str(name)).and_then(|()| self.line.write_char('='));
        self.result.is_ok()
    }

    fn pad(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.result = self.line.write_char(' ');
        }
    }

    fn message(&mut self, value: &dyn fmt::Debug) {
        if self.result.is_err() {
            return;
        }
        self.pad();
        if self.result.is_ok() {
            self.result = if self.sanitize {
                write!(Sanitizing(&mut *self.line), "{value:?}")
            } else {
                write!(self.line, "{value:?}")
            };
        }
    }

    fn integer(&mut self, field: &Field, negative: bool, value: u64) {
        if !self.name(field.name()) {
            return;
        }
        let digits = value.checked_ilog10().unwrap_or(0) as usize + 1;
        self.result = self.line.ascii(digits + usize::from(negative)).map(|out| {
            if negative {
                out[0] = b'-';
            }
            write_digits(value, &mut out[usize::from(negative)..]);
        });
    }
}

impl Visit for FieldWriter<'_, '_, '_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            return self.message(&format_args!("{value}"));
        }
        if !self.name(field.name()) {
            return;
        }
        // What `{:?}` writes for a string of printable ASCII without quotes or backslashes; anything else (escapes,
        // non-ASCII, which Debug escapes in part) is left to `{:?}` itself.
        let plain = value.bytes().all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\');
        self.result = if plain {
            self.line.write_char('"').and_then(|()| self.line.write_str(value)).and_then(|()| self.line.write_char('"'))
        } else {
            write!(self.line, "{value:?}")
        };
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.integer(field, false, value);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.integer(field, value < 0, value.unsigned_abs());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if self.name(field.name()) {
            self.result = self.line.write_str(if value { "true" } else { "false" });
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        let sanitize = self.sanitize;
        match value.source() {
            Some(source) => self.record_debug(
                field,
                &format_args!(
                    "{} {}.sources={}",
                    SanitizedDisplay(value, sanitize),
                    field.name(),
                    SourceList(source, sanitize)
                ),
            ),
            None => self.record_debug(field, &format_args!("{}", SanitizedDisplay(value, sanitize))),
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            self.message(value);
        } else if self.name(field.name()) {
            self.result = write!(self.line, "{value:?}");
        }
    }
}

/// Writes through, with the ANSI and C1 control characters a terminal would act on spelled out, as the default
/// format does for messages and errors (tracing-subscriber's `EscapeGuard`).
struct Sanitizing<W>(W);

impl<W: fmt::Write> fmt::Write for Sanitizing<W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        // 0xc2 leads the UTF-8 of every C1 control character (U+0080 to U+009F).
        if !s.bytes().any(|b| matches!(b, 0x1b | 0x07 | 0x08 | 0x0c | 0x7f | 0xc2)) {
            return self.0.write_str(s);
        }
        for c in s.chars() {
            match c {
                '\x1b' => self.0.write_str("\\x1b")?,
                '\x07' => self.0.write_str("\\x07")?,
                '\x08' => self.0.write_str("\\x08")?,
                '\x0c' => self.0.write_str("\\x0c")?,
                '\x7f' => self.0.write_str("\\x7f")?,
                '\u{80}'..='\u{9f}' => write!(self.0, "\\u{{{:x}}}", c as u32)?,
                c => self.0.write_char(c)?,
            }
        }
        Ok(())
    }
}

/// An error's Display, sanitized when asked.
struct SanitizedDisplay<'e>(&'e (dyn std::error::Error + 'static), bool);

impl fmt::Display for SanitizedDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.1 {
            write!(Sanitizing(f), "{}", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

impl fmt::Debug for SanitizedDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// An error's sources as `[first, second]`, each in Display.
struct SourceList<'e>(&'e (dyn std::error::Error + 'static), bool);

impl fmt::Display for SourceList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        let mut current = Some(self.0);
        while let Some(error) = current {
            list.entry(&SanitizedDisplay(error, self.1));
            current = error.source();
        }
        list.finish()
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The batching writer

/// Appends each line to a buffer that a thread of its own writes out [`BATCH_DELAY`] after the first line of a
/// batch: one write(2) per batch instead of one per line (stderr is unbuffered). The thread is started with the
/// first line and, with nothing to write, sleeps on a condition variable: an idle server does not wake up for it.
#[derive(Clone)]
pub struct BatchWriter {
    shared: Arc<Shared>,
}

pub struct Shared {
    pending: Mutex<Pending>,
    /// Signalled when a line arrives in an empty buffer.
    wake: Condvar,
    /// Where lines go. Taken while `pending` is held, before a batch leaves it, so batches go out in order.
    out: Mutex<Box<dyn Write + Send>>,
    delay: Duration,
}

#[derive(Default)]
struct Pending {
    lines: Vec<u8>,
    /// The flushing thread is running (or could not be started, see `direct`).
    started: bool,
    /// Every line is written at once, by the thread that logs it: after [`finish`], or without a flushing thread.
    direct: bool,
}

impl BatchWriter {
    fn new(out: Box<dyn Write + Send>, delay: Duration) -> BatchWriter {
        let shared =
            Shared { pending: Mutex::new(Pending::default()), wake: Condvar::new(), out: Mutex::new(out), delay };
        BatchWriter { shared: Arc::new(shared) }
    }
}

impl<'a> MakeWriter<'a> for BatchWriter {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> LineWriter<'a> {
        LineWriter(&self.shared)
    }
}

/// What the fmt layer writes one event into.
pub struct LineWriter<'a>(&'a Arc<Shared>);

impl Write for LineWriter<'_> {
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        Shared::append(self.0, line);
        Ok(line.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A lock whose holder panicked is still usable: the buffer holds whole lines or nothing, and `out` is a stream.
fn lock<T: ?Sized>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    /// One formatted event (the fmt layer writes each with one `write_all`).
    fn append(this: &Arc<Shared>, line: &[u8]) {
        let mut pending = lock(&this.pending);
        if pending.direct || pending.lines.len() + line.len() > MAX_PENDING {
            pending.lines.extend_from_slice(line);
            return this.write_out(pending);
        }
        let was_empty = pending.lines.is_empty();
        pending.lines.extend_from_slice(line);
        if !pending.started {
            pending.started = true;
            let shared = this.clone();
            let spawned =
                std::thread::Builder::new().name("lambdalite-log".into()).spawn(move || shared.flush_batches());
            if spawned.is_err() {
                pending.direct = true;
                return this.write_out(pending);
            }
        }
        drop(pending);
        if was_empty {
            this.wake.notify_one();
        }
    }

    /// Writes what is pending now, in order after any batch already taken.
    fn write_out(&self, mut pending: MutexGuard<'_, Pending>) {
        let lines = std::mem::take(&mut pending.lines);
        let mut out = lock(&self.out);
        drop(pending);
        // Nobody to tell when stderr is gone (closed, a broken pipe): the lines are dropped, as eprintln's would be.
        let _ = out.write_all(&lines).and_then(|()| out.flush());
    }

    fn finish(&self) {
        let mut pending = lock(&self.pending);
        pending.direct = true;
        self.write_out(pending);
    }

    /// [`Shared::finish`]'s write without waiting for a lock, and without its `direct`: a panic message may come
    /// from a thread that holds one, and a late line is better than a hang.
    fn flush_if_free(&self) {
        let Ok(mut pending) = self.pending.try_lock() else { return };
        let Ok(mut out) = self.out.try_lock() else { return };
        let lines = std::mem::take(&mut pending.lines);
        drop(pending);
        let _ = out.write_all(&lines).and_then(|()| out.flush());
    }

    /// The flushing thread: waits for a first line, lets others join it for `delay`, writes them all at once.
    fn flush_batches(&self) {
        let mut batch = Vec::new();
        loop {
            let mut pending = lock(&self.pending);
            while pending.lines.is_empty() {
                pending = self.wake.wait(pending).unwrap_or_else(PoisonError::into_inner);
            }
            drop(pending);
            std::thread::sleep(self.delay);
            let mut pending = lock(&self.pending);
            std::mem::swap(&mut pending.lines, &mut batch);
            let mut out = lock(&self.out);
            drop(pending);
            let _ = out.write_all(&batch).and_then(|()| out.flush());
            drop(out);
            batch.clear();
            // A burst's buffer is not kept for good.
            if batch.capacity() > MAX_PENDING {
                batch = Vec::new();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Instant;

    use super::*;

    /// An in-memory stderr that counts its writes.
    #[derive(Clone, Default)]
    struct Sink {
        bytes: Arc<Mutex<Vec<u8>>>,
        writes: Arc<AtomicUsize>,
    }

    impl Sink {
        fn text(&self) -> String {
            String::from_utf8(self.bytes.lock().unwrap().clone()).unwrap()
        }
    }

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.writes.fetch_add(1, Ordering::SeqCst);
            self.bytes.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[derive(Debug)]
    struct Failure(&'static str, Option<Box<Failure>>);

    impl fmt::Display for Failure {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl Error for Failure {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.1.as_deref().map(|e| e as &(dyn Error + 'static))
        }
    }

    /// Events with fields of every kind the format treats apart, at every level, inside and outside spans.
    fn events() {
        tracing::info!("listening");
        tracing::info!(
            target: "lambdalite::request",
            operation = "GetPolicy",
            account = %"123456789012",
            region = %String::from("eu-west-1"),
            method = %axum::http::Method::DELETE,
            path = %"/2015-03-31/functions/my%20fn/policy/sid",
            status = 404u16,
            error = "ResourceNotFoundException",
            latency_us = 17u64,
            request_id = %"a\"b",
            "request"
        );
        tracing::warn!(
            quoted = "quote \" backslash \\ tab \t newline \n nul \0",
            unicode = "héllo ✓ e\u{301} 👍 \u{200b} \u{85}",
            escape = "\u{1b}[31mred",
            backslash = "C:\\dir",
            long = %"x".repeat(500),
            longer = "y".repeat(1500).as_str(),
            apostrophe = "it's",
            empty = "",
            "message with \u{1b}[31m escape, bell \u{7}, C1 \u{9b} and ünïcode ✓"
        );
        tracing::error!(
            negative = -42i64,
            min = i64::MIN,
            max = u64::MAX,
            zero = 0u64,
            yes = true,
            no = false,
            float = 1.5f64,
            whole = 2.0f64,
            big = i128::MAX,
            r#type = "raw name",
            list = ?vec!["a", "b\"c"],
            display = %"dis\"play",
            option = ?Some(3),
            "{} formatted {:?}",
            1,
            "two"
        );
        tracing::debug!(target: "some::other", only = 1);
        tracing::trace!(message = "a message field", after = "x");
        tracing::info!(message = %"a display message\u{1b}", after = 2);
        let inner = Failure("inner \u{1b}cause", None);
        let outer = Failure("outer", Some(Box::new(Failure("middle", Some(Box::new(inner))))));
        tracing::error!(error = &outer as &(dyn Error + 'static), "failed");
        tracing::warn!(error = &Failure("alone", None) as &(dyn Error + 'static));
        tracing::info!(log.target = "kept out", kept = 1, "a field named log.*");
        tracing::info!(target: "log", x = 1, "a `log` target");
        let span = tracing::info_span!("outer", id = 7, name = "n\"q");
        let _outer = span.enter();
        tracing::info!(inside = true, "in a span");
        let bare = tracing::debug_span!("bare");
        let _bare = bare.enter();
        tracing::warn!("in two spans");
    }

    /// What `events` writes with `format`, timestamps replaced by `TS` once checked for the default's shape.
    fn written<E>(format: E) -> String
    where
        E: for<'a> FormatEvent<Registry, tracing_subscriber::fmt::format::DefaultFields> + Send + Sync + 'static,
    {
        let sink = Sink::default();
        let out = sink.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(LevelFilter::TRACE)
            .with_writer(move || out.clone())
            .event_format(format)
            .finish();
        tracing::subscriber::with_default(subscriber, events);
        let timestamp = regex::Regex::new(r"(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z ").unwrap();
        let text = sink.text();
        assert_eq!(timestamp.find_iter(&text).count(), 13, "{text}");
        timestamp.replace_all(&text, "TS ").into_owned()
    }

    #[test]
    fn text_format_writes_what_the_default_format_writes() {
        let ours = written(TextFormat::default());
        let default = written(Format::default());
        assert_eq!(ours, default);
        // The cases above are really there (and the fast paths really taken where they apply).
        assert!(ours.contains("TS  INFO lambdalite::request: request operation=\"GetPolicy\" account=123456789012 "));
        assert!(ours.contains("request_id=a\"b\n"), "{ours}");
        assert!(ours.contains("message with \\x1b[31m escape, bell \\x07, C1 \\u{9b} and ünïcode ✓ "), "{ours}");
        assert!(ours.contains("error=outer error.sources=[middle, inner \\x1bcause]"), "{ours}");
        assert!(ours.contains("TS  INFO outer{id=7 name=\"n\\\"q\"}: lambdalite::logging::tests: in a span"), "{ours}");
    }

    #[test]
    fn timestamps_match_the_calendar() {
        let mut cases = vec![0, 59, 86_399, 86_400, 951_782_400, 951_868_799, 1_795_412_931, 4_107_542_399];
        cases.push(LAST_4_DIGIT_YEAR_END - 1);
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            cases.push(x % LAST_4_DIGIT_YEAR_END);
        }
        for secs in cases {
            let micros = (secs % 1_000_000) as u32;
            let mut buf = [0u8; TIMESTAMP_LEN];
            format_timestamp(secs, micros, &mut buf);
            let expected = chrono::DateTime::from_timestamp(secs as i64, micros * 1000).unwrap();
            assert_eq!(std::str::from_utf8(&buf).unwrap(), expected.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string());
        }
    }

    fn writer(delay: Duration) -> (BatchWriter, Sink) {
        let sink = Sink::default();
        (BatchWriter::new(Box::new(sink.clone()), delay), sink)
    }

    fn log(writer: &BatchWriter, line: &str) {
        writer.make_writer().write_all(line.as_bytes()).unwrap();
    }

    fn wait_for(sink: &Sink, text: &str) -> Duration {
        let start = Instant::now();
        while !sink.text().contains(text) {
            assert!(start.elapsed() < Duration::from_secs(10), "{text:?} never written: {:?}", sink.text());
            std::thread::sleep(Duration::from_millis(1));
        }
        start.elapsed()
    }

    #[test]
    fn lines_are_written_together_shortly_after_the_first() {
        let (writer, sink) = writer(Duration::from_millis(50));
        for i in 0..3 {
            log(&writer, &format!("line {i}\n"));
        }
        assert_eq!(sink.text(), "");
        let waited = wait_for(&sink, "line 2\n");
        assert!(waited >= Duration::from_millis(30), "{waited:?}");
        assert_eq!((sink.text().as_str(), sink.writes.load(Ordering::SeqCst)), ("line 0\nline 1\nline 2\n", 1));
        // The next line starts a batch of its own.
        log(&writer, "line 3\n");
        wait_for(&sink, "line 3\n");
        assert_eq!(sink.writes.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn finish_writes_what_waits_and_every_later_line_at_once() {
        let (writer, sink) = writer(Duration::from_secs(3600));
        log(&writer, "before\n");
        writer.shared.finish();
        assert_eq!(sink.text(), "before\n");
        log(&writer, "after\n");
        assert_eq!(sink.text(), "before\nafter\n");
    }

    #[test]
    fn a_full_buffer_is_written_by_the_thread_that_logs() {
        let (writer, sink) = writer(Duration::from_secs(3600));
        let line = format!("{}\n", "x".repeat(999));
        for _ in 0..MAX_PENDING / line.len() + 1 {
            log(&writer, &line);
        }
        assert!(sink.text().len() >= MAX_PENDING - line.len(), "{}", sink.text().len());
        assert_eq!(sink.text().len() % line.len(), 0);
    }

    #[test]
    fn lines_from_many_threads_stay_whole_and_in_order() {
        let (writer, sink) = writer(Duration::from_millis(1));
        std::thread::scope(|s| {
            for t in 0..4 {
                let writer = &writer;
                s.spawn(move || {
                    for i in 0..2000 {
                        log(writer, &format!("thread {t} line {i} {}\n", "y".repeat(i % 300)));
                    }
                });
            }
        });
        writer.shared.finish();
        let text = sink.text();
        let mut next = [0; 4];
        for line in text.lines() {
            let words: Vec<&str> = line.split(' ').collect();
            let (t, i): (usize, usize) = (words[1].parse().unwrap(), words[3].parse().unwrap());
            assert_eq!((i, words[4].len()), (next[t], i % 300), "{line}");
            next[t] += 1;
        }
        assert_eq!(next, [2000; 4]);
        assert!(sink.writes.load(Ordering::SeqCst) < 8000);
    }
}
