"""The Python wheel as a user gets it: built by maturin from the static release build, installed into a fresh virtual
environment that holds only pytest, boto3 and pytest-xdist, and used by small sample projects (sample/,
sample_init/, broken/) through the pytest plugin it carries.

The static release build is the expensive part (fat LTO); it is made once, by `maturin build`, in
target/<host>/release, where `cargo install --path . --target <host>` with the same flags finds it already built.
"""

import os
import shutil
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The image's build (docker/Dockerfile) and bench/run.py's: glibc linked in, a fixed-address executable.
STATIC_RUSTFLAGS = "-C target-feature=+crt-static -C relocation-model=static"
HOST = subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True).stdout.split("host: ")[1].split()[0]
RELEASE_BINARY = os.path.join(ROOT, "target", HOST, "release", "lambdalite")
WHEEL_DIR = os.path.join(ROOT, "target", "wheels-test")
VENV = os.path.join(ROOT, "target", "wheel-test-venv")

# The sample projects are run by the tests here, inside the fresh environment; they are not part of this suite.
collect_ignore = ["sample", "sample_init", "broken"]

# Figures printed at the end of the run (size, install time, time to the first passing test, ...).
FIGURES = {}


def static_build_env():
    return dict(os.environ, RUSTFLAGS=STATIC_RUSTFLAGS, CARGO_PROFILE_RELEASE_STRIP="symbols")


def tool(name):
    """A tool of the suite's own environment (.venv/test/bin), else PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), name)
    return beside if os.path.exists(beside) else (shutil.which(name) or name)


def run(cmd, timeout, **kw):
    started = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    p.elapsed = time.monotonic() - started
    return p


@pytest.fixture(scope="session")
def wheel():
    """The wheel, built as release.yml builds it: maturin, release profile, the static flags, for the host triple.
    maturin's compliance check (its auditwheel) runs as part of the build and fails it when the binary is not
    compliant."""
    shutil.rmtree(WHEEL_DIR, ignore_errors=True)
    p = run([tool("maturin"), "build", "--release", "--locked", "--target", HOST, "--out", WHEEL_DIR],
            timeout=1800, cwd=ROOT, env=static_build_env())
    assert p.returncode == 0, f"maturin build failed:\n{p.stdout}\n{p.stderr}"
    FIGURES["maturin build (static release)"] = f"{p.elapsed:.0f} s"
    [name] = [n for n in os.listdir(WHEEL_DIR) if n.endswith(".whl")]
    path = os.path.join(WHEEL_DIR, name)
    FIGURES["wheel"] = f"{name}, {os.path.getsize(path) / 1e6:.1f} MB"
    return path


@pytest.fixture(scope="session")
def venv(wheel):
    """A fresh virtual environment with pytest, boto3 and pytest-xdist (the suite's pins), then the wheel."""
    shutil.rmtree(VENV, ignore_errors=True)
    p = run([sys.executable, "-m", "venv", VENV], timeout=300)
    assert p.returncode == 0, p.stderr
    python = os.path.join(VENV, "bin", "python")
    p = run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "-c", os.path.join(ROOT, "tests", "requirements.txt"), "pytest", "boto3", "pytest-xdist"], timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    # --no-index: the wheel must need nothing from anywhere (it has no dependencies).
    p = run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-index", wheel],
            timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    FIGURES["pip install of the wheel"] = f"{p.elapsed:.1f} s"
    return VENV


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    terminalreporter.write_sep("-", "wheel figures")
    for name, value in FIGURES.items():
        terminalreporter.write_line(f"{name}: {value}")
