"""Starting and stopping a lambdalite process, without pytest: `Server` is what the plugin's fixtures use."""

import json
import os
import selectors
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import urllib.error
import urllib.request

READY_PREFIX = "lambdalite listening on "
# The access key of `Server.client()` without an account: not 12 digits, so the server's default account
# (`--account-id`, 000000000000 unless changed) owns what it creates.
DEFAULT_ACCESS_KEY = "lambdalite"


class LambdaliteError(RuntimeError):
    """The server could not be started, did not answer, or answered an admin request unexpectedly."""


def binary_path():
    """The `lambdalite` executable: $LAMBDALITE_BINARY, else the one this package's wheel installed beside the
    running interpreter's scripts, else the first on PATH."""
    explicit = os.environ.get("LAMBDALITE_BINARY")
    if explicit:
        return explicit
    name = "lambdalite.exe" if sys.platform == "win32" else "lambdalite"
    for scripts in _script_dirs():
        candidate = os.path.join(scripts, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("lambdalite")
    if found:
        return found
    raise LambdaliteError(
        "the lambdalite executable was not found: install the lambdalite wheel (pip install lambdalite), put "
        "lambdalite on PATH, or name it with LAMBDALITE_BINARY (pytest: --lambdalite-binary)"
    )


def _script_dirs():
    """Where pip put the wheel's executable: the running interpreter's scripts (a venv's bin/), then the user's
    (pip install --user)."""
    yield sysconfig.get_path("scripts")
    try:
        yield sysconfig.get_path("scripts", sysconfig.get_preferred_scheme("user"))
    except (AttributeError, KeyError):  # Python < 3.10, or no user scheme
        pass


class Server:
    """A lambdalite process on a loopback port: `start()` waits for its ready line and health answer, `stop()` ends
    it by PID. Usable as a context manager.

    binary: the executable (default `binary_path()`); host/port: where it listens (port 0 picks a free one);
    init: an `--init` file; args: more server flags, e.g. ["--settle-delay-ms", "50"]; env: extra environment;
    log_path: where its stdout and stderr go (default: a temporary file); start_timeout: seconds to wait for the
    ready line and the health answer before giving up.
    """

    def __init__(self, binary=None, host="127.0.0.1", port=0, init=None, args=(), env=None, log_path=None,
                 start_timeout=10.0, region="us-east-1"):
        self.binary = binary or binary_path()
        self.host = host
        self.port = int(port)
        self.init = os.fspath(init) if init else None
        self.args = [str(a) for a in args]
        self.env = dict(env or {})
        self.start_timeout = float(start_timeout)
        self.region = region
        self.log_path = log_path or os.path.join(tempfile.mkdtemp(prefix="lambdalite-"), "server.log")
        self.admin_token = _flag_value(self.args, "--admin-token")
        self.proc = None
        self.url = None
        self._log = None
        self._drain = None

    # --- lifecycle

    def start(self):
        """Starts the process and returns once it answers its health check; raises LambdaliteError (with the
        server's own stderr) when it exits, prints something else, or is not ready within start_timeout."""
        if self.proc is not None:
            raise LambdaliteError("this server is already started")
        command = [self.binary, "--host", self.host, "--port", str(self.port)]
        if self.init:
            command += ["--init", self.init]
        command += self.args
        env = dict(os.environ)
        env.setdefault("RUST_LOG", "warn")
        env.update(self.env)
        deadline = time.monotonic() + self.start_timeout
        log = open(self.log_path, "ab")  # noqa: SIM115 (kept open by the drain thread, closed by stop())
        try:
            self.proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                                         env=env)
        except OSError as e:
            log.close()
            raise LambdaliteError(f"cannot run {self.binary}: {e}") from e
        self._log = log
        try:
            line = self._ready_line(deadline)
            if not line.startswith(READY_PREFIX):
                self._fail(command, f"its first line was {line!r}, not {READY_PREFIX!r}...")
            self.url = line[len(READY_PREFIX):]
            self.port = int(self.url.rsplit(":", 1)[1])
            # Everything it prints later goes to the log, so a full pipe can never stop it.
            self._drain = threading.Thread(target=_drain, args=(self.proc.stdout, log), daemon=True)
            self._drain.start()
            self._wait_healthy(command, deadline)
        except BaseException:
            self._kill()
            raise
        return self

    def stop(self):
        """Stops the process by its PID (SIGTERM, then SIGKILL after 5 s); does nothing when it is not running."""
        self._kill()

    def restart(self):
        """Stops the process and starts a new one on the same port with the same flags."""
        port = self.port
        self.stop()
        self.port = port
        self.url = None
        return self.start()

    def __enter__(self):
        return self.start() if self.proc is None else self

    def __exit__(self, *exc):
        self.stop()

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    # --- admin endpoints

    def health(self):
        """GET /_lambdalite/health: {"status": "ok", "version": ...}."""
        return json.loads(self._admin("GET", "/_lambdalite/health", 200))

    def reset(self):
        """POST /_lambdalite/reset: drops all state (an `--init` file's too; see `reset_to_init`)."""
        self._admin("POST", "/_lambdalite/reset", 204)

    def reset_to_init(self):
        """Back to the state right after start: a reset, and with an `--init` file a restart on the same port, since
        the file is applied only at start (with --state-dir, only to an empty directory, which the reset makes)."""
        self.reset()
        if self.init:
            self.restart()

    def state(self):
        """GET /_lambdalite/state: the whole state, in the --init file format."""
        return json.loads(self._admin("GET", "/_lambdalite/state", 200))

    # --- clients

    def client(self, account=None, region=None, access_key=None, secret_key="lambdalite", **config):
        """A boto3 Lambda client for this server. account: a 12-digit account id, sent as the access key (the
        server's rule); without it the server's default account. access_key/secret_key: real ones for
        --auth sigv4. config: botocore Config options (e.g. retries={"max_attempts": 1})."""
        import boto3  # noqa: PLC0415 (boto3 is needed only by those who ask for a client)
        from botocore.config import Config  # noqa: PLC0415

        return boto3.client(
            "lambda",
            endpoint_url=self._require_url(),
            region_name=region or self.region,
            aws_access_key_id=access_key or _account_key(account),
            aws_secret_access_key=secret_key,
            config=Config(**config) if config else None,
        )

    def environ(self, account=None, region=None):
        """Environment variables that point AWS SDKs and the aws cli at this server, for code under test."""
        return {
            "AWS_ENDPOINT_URL_LAMBDA": self._require_url(),
            "AWS_ACCESS_KEY_ID": _account_key(account),
            "AWS_SECRET_ACCESS_KEY": "lambdalite",
            "AWS_DEFAULT_REGION": region or self.region,
            "AWS_REGION": region or self.region,
        }

    # --- internals

    def _ready_line(self, deadline):
        """Reads the first stdout line, never past the deadline, never blocking on a silent process."""
        fd = self.proc.stdout.fileno()
        os.set_blocking(fd, False)
        buf = b""
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in buf:
                left = deadline - time.monotonic()
                if left <= 0:
                    self._fail(self.proc.args, f"it printed no ready line within {self.start_timeout:g} s")
                if not sel.select(timeout=min(left, 0.5)):
                    continue
                try:
                    chunk = os.read(fd, 4096)
                except BlockingIOError:
                    continue
                if not chunk:
                    try:
                        status = self.proc.wait(timeout=5)
                    except subprocess.TimeoutExpired:
                        status = "(still running, stdout closed)"
                    self._fail(self.proc.args, f"it exited with status {status} before it listened")
                buf += chunk
        os.set_blocking(fd, True)
        line, rest = buf.split(b"\n", 1)
        if rest:
            self._log.write(rest)
            self._log.flush()
        return line.decode(errors="replace").strip()

    def _wait_healthy(self, command, deadline):
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._fail(command, f"it exited with status {self.proc.returncode} after listening")
            try:
                body = json.loads(self._admin("GET", "/_lambdalite/health", 200, timeout=1))
                if body.get("status") == "ok":
                    return
                last = f"health answered {body!r}"
            except (LambdaliteError, OSError, ValueError) as e:
                last = str(e)
            time.sleep(0.02)
        self._fail(command, f"it did not answer GET /_lambdalite/health within {self.start_timeout:g} s ({last})")

    def _fail(self, command, what):
        self._kill()
        raise LambdaliteError(
            f"lambdalite did not start: {what}.\n  command: {' '.join(map(str, command))}\n"
            f"  its output ({self.log_path}):\n{_indent(_tail(self.log_path))}"
        )

    def _kill(self):
        proc, self.proc = self.proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            # The process is gone, so its stdout is at end of file: the drain thread ends by itself.
            if self._drain is not None:
                self._drain.join(timeout=5)
            proc.stdout.close()
        if self._log is not None:
            self._log.close()
        self._log = self._drain = None

    def _admin(self, method, path, expect, timeout=10):
        request = urllib.request.Request(self._require_url() + path, method=method, data=b"" if method == "POST" else None)
        if self.admin_token:
            request.add_header("Authorization", f"Bearer {self.admin_token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read()
        except urllib.error.URLError as e:
            raise LambdaliteError(f"{method} {path}: {e.reason}") from e
        if status != expect:
            raise LambdaliteError(f"{method} {path} answered {status}: {body[:500].decode(errors='replace')}")
        return body

    def _require_url(self):
        if not self.url:
            raise LambdaliteError("the server is not started")
        return self.url

    def __repr__(self):
        return f"<lambdalite.Server {self.url or 'not started'} pid={self.pid}>"


def _account_key(account):
    if account is None:
        return DEFAULT_ACCESS_KEY
    account = str(account)
    if len(account) != 12 or not account.isdigit():
        raise ValueError(f"an account id is 12 digits, not {account!r}")
    return account


def _flag_value(args, flag):
    for i, arg in enumerate(args):
        if arg == flag and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(flag + "="):
            return arg[len(flag) + 1:]
    return None


def _drain(stream, log):
    try:
        for chunk in iter(lambda: stream.read1(65536), b""):
            log.write(chunk)
            log.flush()
    except (OSError, ValueError):
        pass


def _tail(path, limit=4000):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - limit))
            text = f.read().decode(errors="replace").strip()
    except OSError as e:
        return f"(cannot read it: {e})"
    return text or "(nothing)"


def _indent(text):
    return "\n".join("    " + line for line in text.splitlines())
