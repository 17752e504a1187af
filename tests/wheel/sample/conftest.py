"""The sample project's own helpers: what a user's conftest.py might hold. The plugin itself needs none of this."""

import json
import os

import pytest

ROLE = "arn:aws:iam::000000000000:role/r"
EMPTY_ZIP = b"PK\5\6" + bytes(18)


def create_function(client, name, role=ROLE):
    return client.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="index.handler",
                                  Code={"ZipFile": EMPTY_ZIP})


@pytest.fixture
def record(request, lambdalite_server):
    """Writes which server (worker, URL, PID) ran this test to $SAMPLE_RECORD_DIR, for the suite to read."""
    yield
    directory = os.environ.get("SAMPLE_RECORD_DIR")
    if directory:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        name = request.node.name
        with open(os.path.join(directory, f"{worker}-{name}.json"), "w") as f:
            json.dump({"worker": worker, "test": name, "url": lambdalite_server.url, "pid": lambdalite_server.pid,
                       "binary": lambdalite_server.binary}, f)
