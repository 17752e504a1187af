"""`--init FILE` (issue 6) read through boto3 and the aws cli: the documented example (docker/init.example.yaml, YAML,
code from a path and inline), the same state exported by `GET /_lambdalite/state` and replayed as JSON through
LAMBDALITE_INIT, a hand-written JSON file, and files the server refuses to start with.
"""

import base64
import hashlib
import json
import os
import subprocess
import urllib.request

import pytest

from conftest import BIN, ROOT, Server, make_zip

EXAMPLE = os.path.join(ROOT, "docker", "init.example.yaml")
ACCOUNT = "123456789012"
REGION = "us-east-1"
ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders-api"
LAYER = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:shared-utils"


def export(server):
    with urllib.request.urlopen(server.url + "/_lambdalite/state", timeout=30) as r:
        assert r.status == 200
        return json.loads(r.read())


def policies(lam):
    """Every policy document of the example's orders-api and shared-utils:1, as GetPolicy returns them."""
    out = {}
    for q in ["", "1", "live"]:
        out[q] = lam.get_policy(FunctionName="orders-api", **({"Qualifier": q} if q else {}))["Policy"]
    out["layer:1"] = lam.get_layer_version_policy(LayerName="shared-utils", VersionNumber=1)["Policy"]
    return out


@pytest.fixture(scope="module")
def example():
    server = Server("--init", EXAMPLE)
    yield server
    server.stop()


def test_the_example_file_through_boto3(example):
    lam = example.client(access_key=ACCOUNT, region=REGION)
    fn = lam.get_function(FunctionName="orders-api")
    cfg = fn["Configuration"]
    assert cfg["FunctionArn"] == ARN
    assert (cfg["Runtime"], cfg["Handler"], cfg["MemorySize"], cfg["Timeout"]) == ("python3.12", "app.handler", 256, 30)
    assert cfg["Environment"]["Variables"] == {"TABLE_NAME": "orders"}
    assert [layer["Arn"] for layer in cfg["Layers"]] == [f"{LAYER}:1"]
    assert fn["Tags"] == {"team": "orders"}
    with open(os.path.join(ROOT, "docker", "init.example.zip"), "rb") as f:
        assert cfg["CodeSha256"] == base64.b64encode(hashlib.sha256(f.read()).digest()).decode()

    versions = lam.list_versions_by_function(FunctionName="orders-api")["Versions"]
    assert [(v["Version"], v["Description"]) for v in versions][1:] == [("1", "first release")]
    assert lam.get_alias(FunctionName="orders-api", Name="live")["FunctionVersion"] == "1"

    docs = {k: json.loads(v) for k, v in policies(lam).items()}
    assert [s["Sid"] for s in docs[""]["Statement"]] == ["s3-uploads", "partner-account", "function-url"]
    assert docs[""]["Statement"][0] == {
        "Sid": "s3-uploads",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": ARN,
        "Condition": {
            "StringEquals": {"AWS:SourceAccount": ACCOUNT},
            "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::orders-uploads"},
        },
    }
    assert docs[""]["Statement"][1]["Principal"] == {"AWS": "arn:aws:iam::210987654321:root"}
    assert docs["1"]["Statement"][0]["Resource"] == f"{ARN}:1"
    assert docs["live"]["Statement"][0]["Condition"]["ArnLike"]["AWS:SourceArn"].endswith("/*/POST/orders")
    assert docs["layer:1"]["Statement"][0]["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}

    image = lam.get_function(FunctionName="thumbnailer")
    assert image["Configuration"]["PackageType"] == "Image"
    assert image["Configuration"]["Architectures"] == ["arm64"]
    assert image["Code"]["ImageUri"].endswith("/thumbnailer:latest")
    # The server's own default namespace got nothing: the example names its account.
    assert example.client().list_functions()["Functions"] == []


def test_the_example_file_through_the_aws_cli(example):
    code, out, err = example.cli("list-functions", access_key=ACCOUNT)
    assert code == 0, err
    assert sorted(f["FunctionName"] for f in out["Functions"]) == ["orders-api", "thumbnailer"]
    code, out, err = example.cli(
        "get-policy", "--function-name", "orders-api", "--qualifier", "live", access_key=ACCOUNT
    )
    assert code == 0, err
    assert json.loads(out["Policy"])["Statement"][0]["Sid"] == "api-gateway"
    code, out, err = example.cli(
        "get-layer-version", "--layer-name", "shared-utils", "--version-number", "1", access_key=ACCOUNT
    )
    assert code == 0, err
    assert out["CompatibleRuntimes"] == ["python3.12", "python3.13"] and out["LicenseInfo"] == "MIT"


def test_an_export_replays_as_json_through_lambdalite_init(example, tmp_path):
    state = export(example)
    assert "RevisionId" not in json.dumps(state)
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state, indent=2))
    replay = Server(env={"LAMBDALITE_INIT": str(path)})
    try:
        assert export(replay) == state
        a = example.client(access_key=ACCOUNT, region=REGION)
        b = replay.client(access_key=ACCOUNT, region=REGION)
        # The same statements in the same order: GetPolicy's documents are byte for byte the same.
        assert policies(a) == policies(b)
        code, out, err = replay.cli("list-versions-by-function", "--function-name", "orders-api", access_key=ACCOUNT)
        assert code == 0, err
        assert [v["Version"] for v in out["Versions"]] == ["$LATEST", "1"]
        # New RevisionIds: a replay is a new state, not a copy of the old one's identities.
        revisions = [c.get_policy(FunctionName="orders-api")["RevisionId"] for c in (a, b)]
        assert revisions[0] != revisions[1]
    finally:
        replay.stop()


def test_a_hand_written_json_file_with_a_zip_path(tmp_path):
    zip_bytes = make_zip("def handler(event, context):\n    return 'hi'\n")
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "hello.zip").write_bytes(zip_bytes)
    init = {
        "Functions": [
            {
                "FunctionName": "hello",
                "Runtime": "python3.13",
                "Role": "arn:aws:iam::000000000000:role/r",
                "Handler": "index.handler",
                "Code": {"Path": "code/hello.zip"},
                "Versions": [{"Version": 5, "Description": "five"}],
                "NextVersion": 9,
                "Permissions": [
                    {"StatementId": "events", "Action": "lambda:InvokeFunction", "Principal": "events.amazonaws.com"}
                ],
            }
        ]
    }
    path = tmp_path / "init.json"
    path.write_text(json.dumps(init))
    server = Server("--init", str(path))
    try:
        lam = server.client()
        cfg = lam.get_function_configuration(FunctionName="hello", Qualifier="5")
        assert cfg["Version"] == "5" and cfg["Description"] == "five"
        assert cfg["CodeSha256"] == base64.b64encode(hashlib.sha256(zip_bytes).digest()).decode()
        lam.update_function_configuration(FunctionName="hello", Timeout=9)
        assert lam.publish_version(FunctionName="hello")["Version"] == "9"
        statement = json.loads(lam.get_policy(FunctionName="hello")["Policy"])["Statement"][0]
        assert statement["Resource"] == "arn:aws:lambda:us-east-1:000000000000:function:hello"
    finally:
        server.stop()


@pytest.mark.parametrize(
    "name, text, message",
    [
        (
            "principal.yaml",
            "Functions:\n  - FunctionName: f\n    Runtime: python3.12\n    Role: arn:aws:iam::000000000000:role/r\n"
            "    Handler: index.handler\n    Code: {ZipFile: ZIP}\n"
            "    Permissions:\n      - {StatementId: a, Action: 'lambda:InvokeFunction', Principal: '*'}\n"
            "      - {StatementId: b, Action: 'lambda:InvokeFunction', Principal: example.org}\n",
            "Functions[0] (f): Permissions[1]: InvalidParameterValueException: The provided principal was invalid.",
        ),
        (
            "unknown.json",
            '{"Layers": [{"LayerName": "l", "Versions": [{"Content": {"ZipFile": "ZIP"}, "Runtimes": []}]}]}',
            "not a valid init file: unknown field `Runtimes`",
        ),
        ("broken.yml", "Functions: [", "not a valid init file: "),
    ],
)
def test_a_bad_file_stops_the_server_before_it_listens(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text.replace("ZIP", base64.b64encode(make_zip()).decode()))
    p = subprocess.run(
        [BIN, "--host", "127.0.0.1", "--port", "0", "--init", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
        env=dict(os.environ, RUST_LOG="warn"),
    )
    assert p.returncode == 1, p
    assert p.stdout == "", "it printed a ready line"
    assert p.stderr.startswith(f"lambdalite: --init {path}: {message}"), p.stderr
