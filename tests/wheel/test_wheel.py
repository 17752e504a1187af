"""The wheel, the pytest plugin it carries, `cargo package` and `cargo install` (issue 17).

Each sample project is copied to a temporary directory and run by the fresh environment's own pytest, with the
environment's bin/ off PATH and LAMBDALITE_BINARY unset: the plugin must find the wheel's executable by itself.
"""

import email
import glob
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time
import zipfile

import pytest
from conftest import FIGURES, HOST, RELEASE_BINARY, ROOT, run, static_build_env

HERE = os.path.dirname(os.path.abspath(__file__))
README_EXAMPLE = os.path.join(HERE, "sample", "test_readme_example.py")


def cargo_version():
    with open(os.path.join(ROOT, "Cargo.toml")) as f:
        return re.search(r'^version = "([^"]+)"', f.read(), re.M).group(1)


def sample_run(venv, project, tmp_path, *args, env=None, timeout=120):
    """Runs the fresh environment's pytest on a copy of tests/wheel/<project>; returns (process, records)."""
    workdir = tmp_path / project
    shutil.copytree(os.path.join(HERE, project), workdir)
    records = tmp_path / "records"
    records.mkdir(exist_ok=True)
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("LAMBDALITE_", "PYTEST_"))}
    full_env.update(PATH="/usr/local/bin:/usr/bin:/bin", SAMPLE_RECORD_DIR=str(records), **(env or {}))
    p = run([os.path.join(venv, "bin", "python"), "-m", "pytest", *args], timeout=timeout, cwd=workdir, env=full_env)
    p.output = p.stdout + p.stderr
    found = [json.loads(open(path).read()) for path in sorted(glob.glob(str(records / "*.json")))]
    return p, found


def gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def elf_linkage(path):
    """(e_type, has PT_INTERP, has PT_DYNAMIC) of a 64-bit little-endian ELF file."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "not a 64-bit little-endian ELF file"
    e_type, = struct.unpack_from("<H", data, 16)
    e_phoff, = struct.unpack_from("<Q", data, 32)
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 54)
    types = {struct.unpack_from("<I", data, e_phoff + i * e_phentsize)[0] for i in range(e_phnum)}
    return e_type, 3 in types, 2 in types


# --- the wheel itself


def test_the_wheel_holds_the_binary_the_package_and_honest_metadata(wheel):
    version = cargo_version()
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        dist_info = f"lambdalite-{version}.dist-info"
        meta = email.message_from_bytes(z.read(f"{dist_info}/METADATA"))
        tags = [v for k, v in email.message_from_bytes(z.read(f"{dist_info}/WHEEL")).items() if k == "Tag"]
        entry_points = z.read(f"{dist_info}/entry_points.txt").decode()
    assert {f"lambdalite-{version}.data/scripts/lambdalite", "lambdalite/__init__.py", "lambdalite/server.py",
            "lambdalite/pytest_plugin.py", f"{dist_info}/licenses/LICENSE"} <= names
    assert not [n for n in names if n.startswith(("tests/", "bench/", "src/", "docker/"))]
    # maturin's compliance check chose a manylinux tag (a non-compliant binary gets the bare "linux" tag or fails).
    assert tags and all(re.fullmatch(r"py3-none-manylinux[_0-9a-z]*_x86_64|py3-none-manylinux[_0-9a-z]*_aarch64", t)
                        for t in tags), tags
    assert "[pytest11]\nlambdalite=lambdalite.pytest_plugin" in entry_points.replace(" ", "")
    assert (meta["Name"], meta["Version"], meta["License-Expression"]) == ("lambdalite", version, "MIT")
    assert meta["Requires-Python"] == ">=3.9"
    assert meta.get_all("Requires-Dist") == ["pytest>=7 ; extra == 'pytest'", "boto3 ; extra == 'pytest'"]
    assert "Framework :: Pytest" in meta.get_all("Classifier")
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert {"Homepage", "Repository", "Issues", "Documentation"} <= set(urls)
    assert meta["Description-Content-Type"].startswith("text/markdown")
    with open(os.path.join(ROOT, "python", "README.md")) as f:
        assert meta.get_payload().strip() == f.read().strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the static build is Linux's")
def test_the_wheel_carries_the_static_release_build(wheel):
    with zipfile.ZipFile(wheel) as z:
        inside = z.read(f"lambdalite-{cargo_version()}.data/scripts/lambdalite")
    with open(RELEASE_BINARY, "rb") as f:
        assert inside == f.read(), "the wheel's binary is not target/<host>/release/lambdalite"
    e_type, interp, dynamic = elf_linkage(RELEASE_BINARY)
    # ET_EXEC: relocation-model=static (not a PIE); no interpreter and no dynamic section: crt-static, as the image.
    assert (e_type, interp, dynamic) == (2, False, False)


def test_pip_install_puts_lambdalite_on_the_environment(venv):
    p = run([os.path.join(venv, "bin", "lambdalite"), "--version"], timeout=30)
    assert (p.returncode, p.stdout.strip()) == (0, f"lambdalite {cargo_version()}")
    p = run([os.path.join(venv, "bin", "python"), "-m", "pip", "list", "--format", "json"], timeout=60)
    installed = {d["name"].lower() for d in json.loads(p.stdout)}
    with open(os.path.join(ROOT, "tests", "requirements.txt")) as f:
        pins = {line.split("==")[0].strip().lower() for line in f if "==" in line}
    # Nothing but pytest, boto3, pytest-xdist (with their pinned dependencies), pip itself and lambdalite.
    assert installed - pins - {"pip", "setuptools"} == {"lambdalite"}
    assert {"pytest", "boto3", "pytest-xdist"} <= installed


# --- the plugin, through the sample projects


def test_the_sample_project_passes_with_one_server(venv, tmp_path):
    p, records = sample_run(venv, "sample", tmp_path, "-q")
    assert p.returncode == 0, p.output
    assert re.search(r"\b7 passed\b", p.output), p.output
    assert {r["worker"] for r in records} == {"main"} and len(records) == 6
    [(url, pid)] = {(r["url"], r["pid"]) for r in records}
    assert {r["binary"] for r in records} == {os.path.join(venv, "bin", "lambdalite")}
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
    assert gone(pid), "the server outlived the session"


def test_the_readme_example_alone(venv, tmp_path):
    """The README's example is this file; its wall time is pytest's start to the first passing test (and exit)."""
    p, _ = sample_run(venv, "sample", tmp_path, "-q", "test_readme_example.py")
    assert p.returncode == 0, p.output
    assert re.search(r"\b1 passed\b", p.output), p.output
    FIGURES["pytest start to the first passing test (whole run of the README example)"] = f"{p.elapsed:.2f} s"


def test_xdist_gives_each_worker_its_own_server(venv, tmp_path):
    p, records = sample_run(venv, "sample", tmp_path, "-q", "-n", "2")
    assert p.returncode == 0, p.output
    assert re.search(r"\b7 passed\b", p.output), p.output
    servers = {}
    for r in records:
        servers.setdefault(r["worker"], set()).add((r["url"], r["pid"]))
    assert set(servers) == {"gw0", "gw1"}, servers  # both workers ran tests
    assert all(len(s) == 1 for s in servers.values()), servers  # one server per worker, kept for its session
    (a,), (b,) = servers.values()
    assert a[0] != b[0] and a[1] != b[1], servers
    assert gone(a[1]) and gone(b[1])
    FIGURES["sample project under xdist -n 2"] = f"{p.elapsed:.1f} s"


def test_an_init_file_and_extra_flags_from_the_ini_file(venv, tmp_path):
    p, _ = sample_run(venv, "sample_init", tmp_path, "-q")
    assert p.returncode == 0, p.output
    assert re.search(r"\b2 passed\b", p.output), p.output


def test_keep_state_keeps_state_between_tests(venv, tmp_path):
    p, _ = sample_run(venv, "sample", tmp_path, "-q", "--lambdalite-keep-state", "test_fixtures.py",
                      "-k", "empty_server")
    # The second attempt finds the first one's function: exactly what the reset otherwise prevents.
    assert p.returncode == 1, p.output
    assert re.search(r"\b1 failed, 1 passed\b", p.output), p.output
    assert "test_every_test_starts_from_an_empty_server[2]" in p.output and "same-name" in p.output


def test_a_fixed_port_from_the_command_line(venv, tmp_path):
    port = free_port()
    p, records = sample_run(venv, "sample", tmp_path, "-q", f"--lambdalite-port={port}",
                            "test_fixtures.py::test_the_server_is_up_on_loopback")
    assert p.returncode == 0, p.output
    assert [r["url"] for r in records] == [f"http://127.0.0.1:{port}"]


def test_a_broken_server_flag_fails_at_once_with_the_servers_error(venv, tmp_path):
    p, _ = sample_run(venv, "broken", tmp_path, "-q", timeout=60)
    assert p.returncode == 1, p.output
    assert re.search(r"\b2 errors\b", p.output), p.output
    assert "lambdalite did not start: it exited with status 2 before it listened" in p.output
    assert "error: unexpected argument '--no-such-flag' found" in p.output  # the server's own stderr
    assert "During handling of the above exception" not in p.output
    # The same from the command line.
    p, _ = sample_run(venv, "sample", tmp_path / "cli", "-q", "--lambdalite-args=--region", "test_readme_example.py",
                      timeout=60)
    assert p.returncode == 1, p.output
    assert "error: a value is required for '--region <REGION>' but none was supplied" in p.output


def test_a_silent_server_is_given_up_on_not_waited_for(venv, tmp_path):
    """A binary that starts but never prints its ready line: the session fails after the start timeout, with what
    the process wrote, and the process is ended."""
    fake = tmp_path / "silent-lambdalite"
    pid_file = tmp_path / "fake.pid"
    fake.write_text(f"#!/bin/sh\necho $$ > {pid_file}\necho 'fake: not saying anything on stdout' >&2\nexec sleep 60\n")
    fake.chmod(0o755)
    p, _ = sample_run(venv, "sample", tmp_path, "-q", f"--lambdalite-binary={fake}", "--lambdalite-start-timeout=1",
                      "test_readme_example.py", timeout=60)
    assert p.returncode == 1, p.output
    assert "lambdalite did not start: it printed no ready line within 1 s" in p.output
    assert "fake: not saying anything on stdout" in p.output
    assert p.elapsed < 30, f"took {p.elapsed:.0f} s"  # a hang guard, not a speed check: the run waits 1 s
    assert gone(int(pid_file.read_text()))


# --- the README's example


def readme_python_block(path, marker):
    with open(path) as f:
        text = f.read()
    after = text[text.index(marker):]
    start = after.index("```python\n") + len("```python\n")
    return after[start:after.index("```", start)]


@pytest.mark.parametrize("readme", ["README.md", "python/README.md"])
def test_the_readme_shows_exactly_the_tested_example(readme):
    with open(README_EXAMPLE) as f:
        example = f.read()
    assert readme_python_block(os.path.join(ROOT, readme), "tests/wheel/sample/test_readme_example.py") == example


# --- cargo package and cargo install


def test_cargo_package_is_clean_and_carries_only_what_users_need():
    p = run(["cargo", "package", "--locked", "--allow-dirty", "--list"], timeout=300, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    files = set(p.stdout.split())
    assert {"Cargo.toml", "Cargo.lock", "README.md", "LICENSE", "src/main.rs", "src/lib.rs", "src/http/ui.css"} <= files
    assert not [f for f in files if f.startswith(("tests/", "bench/", "python/", "docker/", ".github/", "scripts/"))]
    # Packaging for real: the packaged crate must build on its own (cargo verifies it).
    p = run(["cargo", "package", "--locked", "--allow-dirty"], timeout=1200, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    warnings = [line for line in p.stderr.splitlines() if line.startswith("warning:")]
    # Each integration test left out of the package is named in a warning; nothing else may warn (no missing
    # metadata: description, license, repository, readme, keywords, categories).
    assert [w for w in warnings if not re.fullmatch(r"warning: ignoring test `\w+` as `tests/\w+\.rs` is not "
                                                    r"included in the published package", w)] == [], p.stderr
    FIGURES["cargo package (with its verify build)"] = f"{p.elapsed:.0f} s"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the static build is Linux's")
def test_cargo_install_reuses_the_wheels_release_build(wheel, tmp_path):
    p = run(["cargo", "install", "--path", ".", "--locked", "--target", HOST, "--root", str(tmp_path)], timeout=1800,
            cwd=ROOT, env=static_build_env())
    assert p.returncode == 0, p.stderr
    # Same profile, target and flags as the wheel's build: nothing to compile (else CI pays the release build twice).
    assert "Compiling lambdalite" not in p.stderr, p.stderr
    installed = tmp_path / "bin" / "lambdalite"
    with open(RELEASE_BINARY, "rb") as f:
        assert installed.read_bytes() == f.read()
    v = run([str(installed), "--version"], timeout=30)
    assert v.stdout.strip() == f"lambdalite {cargo_version()}"
    FIGURES["cargo install --path . (after the wheel)"] = f"{p.elapsed:.1f} s"
