"""Fixtures for the boto3 and aws-cli suites: a real lambdalite binary on 127.0.0.1 with a free port.

The binary is `target/debug/lambdalite` unless LAMBDALITE_BIN says otherwise; `scripts/test` builds it first.
The aws cli is AWS_CLI: $LAMBDALITE_AWS_CLI (scripts/test points it at .venv/cli/bin/aws), else `aws` on PATH.
"""

import base64
import io
import json
import os
import shutil
import subprocess
import uuid
import zipfile

import boto3
import pytest
from botocore.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("LAMBDALITE_BIN", os.path.join(ROOT, "target", "debug", "lambdalite"))
ROLE = "arn:aws:iam::000000000000:role/lambda-role"
# The one place the aws cli's executable is chosen.
AWS_CLI = os.environ.get("LAMBDALITE_AWS_CLI") or shutil.which("aws") or "aws"


class Server:
    """A lambdalite process we started; stopped by PID at teardown."""

    def __init__(self, *args, env=None):
        full_env = dict(os.environ, RUST_LOG="warn", **(env or {}))
        self.proc = subprocess.Popen(
            [BIN, "--host", "127.0.0.1", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=full_env,
        )
        line = self.proc.stdout.readline().strip()
        prefix = "lambdalite listening on "
        if not line.startswith(prefix):
            self.stop()
            raise RuntimeError(f"unexpected first line from lambdalite: {line!r}")
        self.url = line[len(prefix):]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def client(self, access_key="AKIDEXAMPLE", region="us-east-1", validate=True):
        """A boto3 Lambda client; validate=False turns off botocore's client-side checks so the server's run."""
        return boto3.client(
            "lambda",
            endpoint_url=self.url,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key="secret",
            config=Config(parameter_validation=validate, retries={"max_attempts": 1}),
        )

    def cli(self, *args, access_key="AKIDEXAMPLE", region="us-east-1"):
        """Runs `aws lambda <args>` against this server; returns (exit code, parsed JSON or None, stderr)."""
        env = dict(
            os.environ,
            AWS_ACCESS_KEY_ID=access_key,
            AWS_SECRET_ACCESS_KEY="secret",
            AWS_DEFAULT_REGION=region,
            AWS_MAX_ATTEMPTS="1",
            AWS_CONFIG_FILE="/dev/null",
            AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        )
        env.pop("AWS_PROFILE", None)
        p = subprocess.run(
            [AWS_CLI, "lambda", *args, "--endpoint-url", self.url, "--output", "json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        out = json.loads(p.stdout) if p.stdout.strip() else None
        return p.returncode, out, p.stderr


@pytest.fixture(scope="session")
def server():
    s = Server()
    yield s
    s.stop()


@pytest.fixture
def lam(server):
    return server.client()


@pytest.fixture
def raw_lam(server):
    """A client without botocore's parameter validation, to send what the server must reject."""
    return server.client(validate=False)


def make_zip(content="def handler(event, context):\n    return 1\n"):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", content)
    return buf.getvalue()


def unique(prefix="fn"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def create_function(client, name=None, **extra):
    name = name or unique()
    params = dict(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="index.handler",
        Code={"ZipFile": make_zip()},
    )
    params.update(extra)
    return client.create_function(**params)


def b64(data):
    return base64.b64encode(data).decode()
