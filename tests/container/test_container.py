"""The docker image and the compose example, for real: built from docker/Dockerfile by a real engine, run, and driven
with boto3 over a published loopback port.

Setup (see engine.py) installs and starts a private dockerd, so under CI=true this always runs; where no engine can
be had and CI is not set, every test here is skipped and the run ends with a banner saying so and how to run it.
"""

import io
import json
import os
import socket
import subprocess
import tarfile
import time
import uuid
import zipfile

import boto3
import pytest
from botocore.config import Config

import engine as eng

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCKERFILE = os.path.join(ROOT, "docker", "Dockerfile")
COMPOSE_FILE = os.path.join(ROOT, "docker", "docker-compose.yml")
IMAGE = "lambdalite:container-test"
ROLE = "arn:aws:iam::000000000000:role/lambda-role"

# Read by conftest.py's terminal summary: why the engine tests did not run, if they did not.
NOT_RUN = []


@pytest.fixture(scope="session")
def tools():
    try:
        eng.ensure_tools()
    except eng.Unavailable as e:
        not_run(str(e))


@pytest.fixture(scope="session")
def engine(tools):
    e = eng.Engine()
    try:
        e.start()
    except eng.Unavailable as err:
        not_run(str(err))
    try:
        e.load_standin()
        eng.log("building docker/Dockerfile (build stage on the stand-in, dev profile)")
        started = time.monotonic()
        # The one test-only change: the build stage's base and profile, both ARGs of the real Dockerfile.
        # --network none: the build must need nothing from outside.
        e.docker("build", "--network", "none", "-f", DOCKERFILE,
                 "--build-arg", f"RUST_IMAGE={eng.STANDIN_IMAGE}", "--build-arg", "CARGO_PROFILE=dev",
                 "-t", IMAGE, ROOT, timeout=1500)
        eng.log(f"image built in {time.monotonic() - started:.0f} s")
        yield e
    finally:
        e.stop()


def not_run(reason):
    if eng.IN_CI:
        pytest.fail(f"CI=true but the container test cannot run: {reason}", pytrace=False)
    NOT_RUN.append(reason)
    pytest.skip(f"container test NOT RUN: {reason}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def boto3_client(url, access_key="AKIDEXAMPLE"):
    return boto3.client(
        "lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id=access_key,
        aws_secret_access_key="secret", config=Config(retries={"max_attempts": 1}))


def wait_for(what, predicate, timeout=90, interval=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def zip_bytes():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(e, c):\n    return 1\n")
    return buf.getvalue()


class Container:
    """One `docker run -d` of the image with a published loopback port; removed at teardown."""

    def __init__(self, engine, *env, volume=None):
        self.engine = engine
        self.name = f"llt-{uuid.uuid4().hex[:10]}"
        self.port = free_port()
        env_args = [a for kv in env for a in ("-e", kv)]
        volume_args = ["-v", volume] if volume else []
        engine.docker("run", "-d", "--name", self.name, "-p", f"127.0.0.1:{self.port}:4566", *env_args,
                      *volume_args, IMAGE)
        self.url = f"http://127.0.0.1:{self.port}"
        self.wait_ready(1)

    def wait_ready(self, starts):
        # The published port accepts connections before the server listens; the ready line says it does.
        ready = "lambdalite listening on http://0.0.0.0:4566"
        wait_for(f"ready line {starts}", lambda: self.logs().count(ready) >= starts)

    def logs(self):
        return self.engine.docker("logs", self.name, check=False).stdout

    def inspect(self, fmt):
        return self.engine.docker("inspect", "--format", fmt, self.name).stdout.strip()

    def remove(self):
        self.engine.docker("rm", "-f", self.name, check=False)


@pytest.fixture
def container(engine):
    c = Container(engine, "LAMBDALITE_ACCOUNT_ID=210987654321", "RUST_LOG=warn")
    yield c
    c.remove()


def test_hadolint_passes_on_the_dockerfile(tools):
    p = eng.run(["hadolint", DOCKERFILE], check=False)
    assert p.returncode == 0, p.stdout + p.stderr


def test_compose_config_is_valid(tools):
    p = eng.run([eng.compose_binary(), "-f", COMPOSE_FILE, "config", "-q"], check=False)
    assert p.returncode == 0, p.stdout + p.stderr


def test_compose_exposes_every_server_option_as_an_environment_variable(tools):
    # Every env var the binary reads (its --help lists them) must be settable in the compose example.
    help_text = eng.run([os.path.join(ROOT, "target", "debug", "lambdalite"), "--help"]).stdout
    server_vars = {w.strip("[]=,") for w in help_text.split() if w.startswith("LAMBDALITE_")}
    assert {"LAMBDALITE_HOST", "LAMBDALITE_PORT", "LAMBDALITE_ACCOUNT_ID"} <= server_vars
    p = eng.run([eng.compose_binary(), "-f", COMPOSE_FILE, "config", "--format", "json"])
    environment = json.loads(p.stdout)["services"]["lambdalite"]["environment"]
    assert server_vars <= set(environment), server_vars - set(environment)
    assert "RUST_LOG" in environment


def test_image_is_scratch_with_only_the_binary(engine):
    config = json.loads(engine.docker("image", "inspect", IMAGE).stdout)[0]
    assert config["Config"]["User"] == "65532:65532"
    assert config["Config"]["ExposedPorts"] == {"4566/tcp": {}}
    assert "LAMBDALITE_HOST=0.0.0.0" in config["Config"]["Env"]
    assert config["Config"]["Entrypoint"] == ["/lambdalite"]
    assert config["Config"]["Healthcheck"]["Test"] == ["CMD", "/lambdalite", "health"]
    assert len(config["RootFS"]["Layers"]) == 2
    # One layer holds the binary, the other the empty state directory: no shell, no libc, nothing else to patch.
    save = os.path.join(engine.dir, "image.tar")
    engine.docker("save", "-o", save, IMAGE)
    with tarfile.open(save) as outer:
        layers = [m for m in outer.getmembers() if m.name.endswith("layer.tar")]
        assert len(layers) == 2
        contents = []
        for member in layers:
            with tarfile.open(fileobj=outer.extractfile(member)) as layer:
                contents.append([(m.name, m.uid) for m in layer.getmembers()])
        assert sorted(contents) == [[("data", 65532)], [("lambdalite", 0)]], contents
    os.unlink(save)


def test_container_serves_boto3_over_the_published_port(container):
    lam = boto3_client(container.url)
    name = f"ctr-{uuid.uuid4().hex[:8]}"
    fn = lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="index.handler",
                             Code={"ZipFile": zip_bytes()})
    # LAMBDALITE_ACCOUNT_ID reached the server: a non-numeric access key uses it.
    assert fn["FunctionArn"] == f"arn:aws:lambda:us-east-1:210987654321:function:{name}"
    added = lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
                               Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::bucket")
    statement = json.loads(added["Statement"])
    policy = json.loads(lam.get_policy(FunctionName=name)["Policy"])
    assert policy["Statement"] == [statement]
    assert statement["Resource"] == fn["FunctionArn"]
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_policy(FunctionName=f"{name}-missing")


def test_server_runs_as_the_non_root_user(container):
    top = container.engine.docker("top", container.name, "-o", "uid,pid,comm").stdout.split("\n")[1:]
    rows = [line.split() for line in top if line.strip()]
    assert rows and all(row[0] == "65532" for row in rows), top


def test_healthcheck_turns_healthy(container):
    # Fails the test if the engine never marks the container healthy.
    wait_for("a healthy container", lambda: container.inspect("{{.State.Health.Status}}") == "healthy")
    log = json.loads(container.inspect("{{json .State.Health.Log}}"))
    assert log[-1]["ExitCode"] == 0 and '"status":"ok"' in log[-1]["Output"]


def test_health_probe_in_the_image_fails_when_nothing_listens(container):
    p = container.engine.docker("exec", container.name, "/lambdalite", "health", "--endpoint-url",
                                "http://127.0.0.1:1", check=False)
    assert p.returncode == 1 and "cannot connect" in p.stderr


def test_docker_stop_returns_at_once_and_cleanly(container):
    started = time.monotonic()
    container.engine.docker("stop", "--time", "10", container.name)
    elapsed = time.monotonic() - started
    # Exit 0 means the server handled SIGTERM as PID 1 itself; the engine's SIGKILL after 10 s would give 137.
    assert container.inspect("{{.State.ExitCode}}") == "0"
    assert elapsed < 2, f"docker stop took {elapsed:.1f} s"


def test_state_survives_a_container_restart_on_a_volume(engine):
    volume = f"llt-state-{uuid.uuid4().hex[:8]}"
    c = Container(engine, "LAMBDALITE_STATE_DIR=/data", "RUST_LOG=warn", volume=f"{volume}:/data")
    try:
        lam = boto3_client(c.url)
        lam.create_function(FunctionName="kept", Runtime="python3.12", Role=ROLE, Handler="index.handler",
                            Code={"ZipFile": zip_bytes()})
        lam.add_permission(FunctionName="kept", StatementId="s3", Action="lambda:InvokeFunction",
                           Principal="s3.amazonaws.com")
        before = lam.get_policy(FunctionName="kept")
        c.engine.docker("restart", "--time", "10", c.name)
        c.wait_ready(2)
        after = boto3_client(c.url).get_policy(FunctionName="kept")
        assert (after["Policy"], after["RevisionId"]) == (before["Policy"], before["RevisionId"])
    finally:
        c.remove()
        engine.docker("volume", "rm", "-f", volume, check=False)


def test_compose_example_client_exits_zero(engine):
    # A non-default port exercises the env plumbing end to end: the server, its healthcheck and the client all
    # follow LAMBDALITE_PORT.
    env = {
        "LAMBDALITE_IMAGE": IMAGE,
        "LAMBDALITE_CLIENT_IMAGE": eng.STANDIN_IMAGE,
        "LAMBDALITE_PORT": "4599",
        "LAMBDALITE_PUBLISHED_PORT": str(free_port()),
        "LAMBDALITE_LOG_FORMAT": "json",
    }
    try:
        p = engine.compose("-f", COMPOSE_FILE, "up", "--no-build", "--pull", "never", "--exit-code-from", "client",
                           env=env, check=False, timeout=300)
        assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-4000:]
        assert "policy" in p.stdout and "s3-invoke" in p.stdout
        # The server logged JSON lines, one per request, so LAMBDALITE_LOG_FORMAT reached it.
        logs = engine.compose("-f", COMPOSE_FILE, "logs", "--no-log-prefix", "lambdalite", env=env).stdout
        records = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
        assert {"CreateFunction", "AddPermission", "GetPolicy"} <= {r.get("operation") for r in records}, logs
    finally:
        engine.compose("-f", COMPOSE_FILE, "down", "--remove-orphans", env=env, check=False, timeout=120)
