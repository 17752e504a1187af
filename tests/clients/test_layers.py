"""Layers and layer permissions through boto3 and the aws cli (SPEC §5.4, §7, §9, §10.1 Layers, §12)."""

import concurrent.futures
import hashlib
import base64
import json
import os
import tempfile
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import create_function, make_zip, unique

GET_LAYER_POLICY_412 = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetLayerPolicy API to retrieve the latest Revision Id"
)
SEED_STATEMENT = (
    '{"Sid":"xaccount","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::223456789012:root"},'
    '"Action":"lambda:GetLayerVersion","Resource":"arn:aws:lambda:us-east-2:123456789012:layer:my-layer:1"}'
)
LAYER_NAME_PATTERN = r"(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+"
ARCH_ENUM = "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]"


def publish(client, name, **extra):
    return client.publish_layer_version(LayerName=name, Content={"ZipFile": make_zip(name)}, **extra)


def error_of(excinfo):
    """(HTTP status, code, message) of a ClientError."""
    r = excinfo.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]


def test_seed_example_byte_for_byte_boto3(server):
    lam = server.client(access_key="123456789012", region="us-east-2")
    assert publish(lam, "my-layer")["Version"] == 1
    r = lam.add_layer_version_permission(
        Action="lambda:GetLayerVersion",
        LayerName="my-layer",
        Principal="223456789012",
        StatementId="xaccount",
        VersionNumber=1,
    )
    assert r["Statement"] == SEED_STATEMENT
    assert len(r["RevisionId"]) == 36
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 201
    p = lam.get_layer_version_policy(LayerName="my-layer", VersionNumber=1)
    assert p["Policy"] == '{"Version":"2012-10-17","Id":"default","Statement":[' + SEED_STATEMENT + "]}"
    assert p["RevisionId"] == r["RevisionId"]


def test_publish_get_by_arn_and_download(server):
    lam = server.client(access_key="123456789012", region="eu-west-1")
    name = unique("layer")
    data = make_zip("layer body")
    out = lam.publish_layer_version(
        LayerName=name,
        Description="helpers",
        Content={"ZipFile": data},
        CompatibleRuntimes=["python3.12", "python3.13"],
        CompatibleArchitectures=["x86_64", "arm64"],
        LicenseInfo="Apache-2.0",
    )
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201
    arn = f"arn:aws:lambda:eu-west-1:123456789012:layer:{name}"
    assert (out["LayerArn"], out["LayerVersionArn"], out["Version"]) == (arn, arn + ":1", 1)
    assert out["Content"]["CodeSize"] == len(data)
    assert out["Content"]["CodeSha256"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert out["CompatibleRuntimes"] == ["python3.12", "python3.13"]
    assert out["CompatibleArchitectures"] == ["x86_64", "arm64"]
    assert out["LicenseInfo"] == "Apache-2.0"
    assert out["Description"] == "helpers"
    # Content.Location serves the zip we uploaded.
    with urllib.request.urlopen(out["Content"]["Location"], timeout=10) as resp:
        assert resp.read() == data
    got = lam.get_layer_version(LayerName=name, VersionNumber=1)
    by_arn = lam.get_layer_version_by_arn(Arn=arn + ":1")
    for r in (got, by_arn):
        assert r["LayerVersionArn"] == arn + ":1"
        assert r["CreatedDate"] == out["CreatedDate"]
        assert r["Content"]["CodeSha256"] == out["Content"]["CodeSha256"]
        assert r["LicenseInfo"] == "Apache-2.0"
    bare = publish(lam, name)
    assert bare["Version"] == 2
    for absent in ("CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo"):
        assert absent not in bare
    assert bare["Description"] == ""


def test_publish_validation_and_content_errors(server, raw_lam):
    name = unique("layer")
    with pytest.raises(ClientError) as e:
        raw_lam.publish_layer_version(
            LayerName=name,
            Content={"ZipFile": make_zip()},
            CompatibleRuntimes=["python9"],
            CompatibleArchitectures=["x86"],
        )
    status, code, message = error_of(e)
    assert (status, code) == (400, "ValidationException")
    assert message.startswith(
        "2 validation errors detected: Value '[python9]' at 'compatibleRuntimes' failed to satisfy constraint: "
        "Member must satisfy enum value set: [nodejs, nodejs4.3, "
    )
    assert message.endswith(f"; Value '[x86]' at 'compatibleArchitectures' failed to satisfy constraint: {ARCH_ENUM}")
    assert "Type" not in e.value.response
    with pytest.raises(ClientError) as e:
        raw_lam.publish_layer_version(
            LayerName=name, Content={"ZipFile": make_zip()}, CompatibleArchitectures=["x86_64", "arm64", "x86_64"]
        )
    assert error_of(e)[2] == (
        "1 validation error detected: Value '[x86_64, arm64, x86_64]' at 'compatibleArchitectures' failed to "
        "satisfy constraint: Member must have length less than or equal to 2"
    )
    with pytest.raises(ClientError) as e:
        raw_lam.publish_layer_version(LayerName="bad name", Content={"ZipFile": make_zip()})
    assert error_of(e)[2] == (
        "1 validation error detected: Value 'bad name' at 'layerName' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {LAYER_NAME_PATTERN}"
    )
    with pytest.raises(ClientError) as e:
        raw_lam.publish_layer_version(LayerName=name)
    assert error_of(e)[2] == (
        "1 validation error detected: Value null at 'content' failed to satisfy constraint: Member must not be null"
    )
    with pytest.raises(raw_lam.exceptions.InvalidParameterValueException) as e:
        raw_lam.publish_layer_version(LayerName=name, Content={"ZipFile": b"not a zip"})
    assert e.value.response["Error"]["Message"] == (
        "Could not unzip uploaded file. Please check your file, then try to upload again."
    )
    assert e.value.response["Type"] == "User"
    with pytest.raises(raw_lam.exceptions.InvalidParameterValueException) as e:
        raw_lam.publish_layer_version(LayerName=name, Content={"S3Bucket": "b", "S3Key": "k.zip"})
    assert "S3 Error Code: NoSuchBucket" in e.value.response["Error"]["Message"]
    assert raw_lam.list_layer_versions(LayerName=name)["LayerVersions"] == []


def test_get_delete_errors_and_numbering(lam, raw_lam):
    name = unique("layer")
    publish(lam, name)
    publish(lam, name)
    for n in (0, -3):
        with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
            lam.get_layer_version(LayerName=name, VersionNumber=n)
        assert error_of(e) == (400, "InvalidParameterValueException", "Layer Version Cannot be less than 1")
        with pytest.raises(lam.exceptions.InvalidParameterValueException):
            lam.delete_layer_version(LayerName=name, VersionNumber=n)
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.get_layer_version(LayerName=name, VersionNumber=3)
    assert error_of(e) == (404, "ResourceNotFoundException", "The resource you requested does not exist.")
    assert e.value.response["Type"] == "User"
    # A VersionNumber that is not an integer can only be sent with validation off.
    with pytest.raises(ClientError) as e:
        raw_lam.get_layer_version(LayerName=name, VersionNumber="abc")
    assert error_of(e) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'abc' at 'versionNumber' failed to satisfy constraint: "
        "Member must be a valid integer",
    )
    for n in (1, 2, 1, 99):
        r = lam.delete_layer_version(LayerName=name, VersionNumber=n)
        assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert publish(lam, name)["Version"] == 3
    with pytest.raises(ClientError) as e:
        lam.get_layer_version_by_arn(Arn=f"arn:aws:lambda:us-east-1:000000000000:layer:{name}")
    assert error_of(e)[1] == "ValidationException"
    assert "at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern: " in error_of(e)[2]
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_layer_version_by_arn(Arn=f"arn:aws:lambda:us-east-1:000000000000:layer:{name}:1")


def test_list_layers_and_versions_with_paginators(server):
    lam = server.client(access_key="555555555555", region="ap-south-1")
    for name, runtime, arch in (("l-a", "python3.12", "x86_64"), ("l-b", "nodejs20.x", "arm64"), ("l-c", "python3.12", "arm64")):
        publish(lam, name, CompatibleRuntimes=[runtime], CompatibleArchitectures=[arch])
    publish(lam, "l-a", CompatibleRuntimes=["java21"], Description="v2")
    layers = lam.list_layers()["Layers"]
    assert [l["LayerName"] for l in layers] == ["l-a", "l-b", "l-c"]
    latest = layers[0]["LatestMatchingVersion"]
    assert (latest["Version"], latest["Description"], latest["CompatibleRuntimes"]) == (2, "v2", ["java21"])
    assert "Content" not in latest
    py = lam.list_layers(CompatibleRuntime="python3.12")["Layers"]
    assert [(l["LayerName"], l["LatestMatchingVersion"]["Version"]) for l in py] == [("l-a", 1), ("l-c", 1)]
    arm = lam.list_layers(CompatibleArchitecture="arm64")["Layers"]
    assert [l["LayerName"] for l in arm] == ["l-b", "l-c"]
    pages = list(lam.get_paginator("list_layers").paginate(PaginationConfig={"PageSize": 1}))
    assert [l["LayerName"] for p in pages for l in p["Layers"]] == ["l-a", "l-b", "l-c"]
    assert all(len(p["Layers"]) == 1 for p in pages)
    versions = lam.list_layer_versions(LayerName="l-a")["LayerVersions"]
    assert [v["Version"] for v in versions] == [2, 1]
    assert lam.list_layer_versions(LayerName="l-a", CompatibleRuntime="python3.12")["LayerVersions"][0]["Version"] == 1
    assert lam.list_layer_versions(LayerName="l-a", CompatibleArchitecture="arm64")["LayerVersions"] == []
    pages = list(lam.get_paginator("list_layer_versions").paginate(LayerName="l-a", PaginationConfig={"PageSize": 1}))
    assert [v["Version"] for p in pages for v in p["LayerVersions"]] == [2, 1]
    assert lam.list_layer_versions(LayerName="never-published")["LayerVersions"] == []
    raw = server.client(access_key="555555555555", region="ap-south-1", validate=False)
    with pytest.raises(ClientError) as e:
        raw.list_layers(CompatibleArchitecture="sparc")
    assert error_of(e) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'sparc' at 'compatibleArchitecture' failed to satisfy constraint: "
        "Member must satisfy enum value set: [x86_64, arm64]",
    )
    with pytest.raises(ClientError) as e:
        raw.list_layer_versions(LayerName="l-a", MaxItems=51)
    assert error_of(e)[2] == (
        "1 validation error detected: Value '51' at 'maxItems' failed to satisfy constraint: "
        "Member must have value less than or equal to 50"
    )


def test_layer_permission_errors_boto3(lam, raw_lam):
    name = unique("layer")
    publish(lam, name)
    arn1 = f"arn:aws:lambda:us-east-1:000000000000:layer:{name}:1"
    with pytest.raises(ClientError) as e:
        raw_lam.add_layer_version_permission(
            LayerName=name, VersionNumber=1, StatementId="s", Action="*", Principal="*"
        )
    assert error_of(e) == (
        400,
        "ValidationException",
        "1 validation error detected: Value '*' at 'action' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: lambda:GetLayerVersion",
    )
    with pytest.raises(ClientError) as e:
        raw_lam.add_layer_version_permission(
            LayerName=name, VersionNumber=1, StatementId="s", Action="lambda:GetLayerVersion", Principal="example.org"
        )
    assert "Value 'example.org' at 'principal'" in error_of(e)[2]
    with pytest.raises(ClientError) as e:
        raw_lam.add_layer_version_permission(LayerName=name, VersionNumber=1, Principal="*")
    assert error_of(e)[2] == (
        "2 validation errors detected: Value null at 'statementId' failed to satisfy constraint: Member must not be "
        "null; Value null at 'action' failed to satisfy constraint: Member must not be null"
    )
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.get_layer_version_policy(LayerName=name, VersionNumber=1)
    assert error_of(e)[2] == "No policy is associated with the given resource."
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.get_layer_version_policy(LayerName=name, VersionNumber=5)
    assert error_of(e)[2] == f"Layer version {arn1[:-2]}:5 does not exist."
    with pytest.raises(lam.exceptions.PreconditionFailedException) as e:
        lam.add_layer_version_permission(
            LayerName=name, VersionNumber=1, StatementId="s", Action="lambda:GetLayerVersion", Principal="*",
            RevisionId="no-policy-yet",
        )
    assert error_of(e) == (412, "PreconditionFailedException", GET_LAYER_POLICY_412)
    assert e.value.response["Type"] == "User"

    r1 = lam.add_layer_version_permission(
        LayerName=name, VersionNumber=1, StatementId="org", Action="lambda:GetLayerVersion", Principal="*",
        OrganizationId="o-abcdefghij",
    )
    assert json.loads(r1["Statement"]) == {
        "Sid": "org", "Effect": "Allow", "Principal": "*", "Action": "lambda:GetLayerVersion", "Resource": arn1,
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}},
    }
    with pytest.raises(lam.exceptions.ResourceConflictException) as e:
        lam.add_layer_version_permission(
            LayerName=name, VersionNumber=1, StatementId="org", Action="lambda:GetLayerVersion", Principal="*"
        )
    assert error_of(e)[:2] == (409, "ResourceConflictException")
    r2 = lam.add_layer_version_permission(
        LayerName=name, VersionNumber=1, StatementId="acct", Action="lambda:GetLayerVersion",
        Principal="arn:aws:iam::210987654321:root", RevisionId=r1["RevisionId"],
    )
    with pytest.raises(lam.exceptions.PreconditionFailedException):
        lam.remove_layer_version_permission(
            LayerName=name, VersionNumber=1, StatementId="org", RevisionId=r1["RevisionId"]
        )
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.remove_layer_version_permission(LayerName=name, VersionNumber=1, StatementId="nope")
    assert error_of(e)[2] == "Statement nope is not found in resource policy."
    r = lam.remove_layer_version_permission(
        LayerName=name, VersionNumber=1, StatementId="org", RevisionId=r2["RevisionId"]
    )
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    policy = json.loads(lam.get_layer_version_policy(LayerName=name, VersionNumber=1)["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["acct"]
    # The layer ARN addresses the same policy.
    lam.remove_layer_version_permission(LayerName=arn1[:-2], VersionNumber=1, StatementId="acct")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_layer_version_policy(LayerName=name, VersionNumber=1)


def test_isolation_between_accounts_and_regions(server):
    owner = server.client(access_key="666666666666", region="us-east-1")
    stranger = server.client(access_key="777777777777", region="us-east-1")
    elsewhere = server.client(access_key="666666666666", region="us-west-2")
    name = unique("iso")
    publish(owner, name)
    layer_arn = f"arn:aws:lambda:us-east-1:666666666666:layer:{name}"
    for c in (stranger, elsewhere):
        assert name not in [l["LayerName"] for l in c.list_layers()["Layers"]]
        with pytest.raises(c.exceptions.ResourceNotFoundException):
            c.get_layer_version(LayerName=name, VersionNumber=1)
    # By ARN: the owner's account reads it from any region; another account only once it is shared.
    assert elsewhere.get_layer_version_by_arn(Arn=layer_arn + ":1")["LayerArn"] == layer_arn
    assert elsewhere.get_layer_version(LayerName=layer_arn, VersionNumber=1)["Version"] == 1
    with pytest.raises(ClientError) as e:
        stranger.get_layer_version_by_arn(Arn=layer_arn + ":1")
    assert error_of(e)[:2] == (403, "AccessDeniedException")
    with pytest.raises(ClientError) as e:
        stranger.get_layer_version(LayerName=layer_arn, VersionNumber=1)
    assert error_of(e)[:2] == (403, "AccessDeniedException")
    # Only the owner changes the layer version's policy.
    with pytest.raises(ClientError) as e:
        stranger.add_layer_version_permission(
            LayerName=layer_arn, VersionNumber=1, StatementId="x", Action="lambda:GetLayerVersion", Principal="*"
        )
    assert error_of(e)[:2] == (403, "AccessDeniedException")
    with pytest.raises(owner.exceptions.ResourceNotFoundException):
        owner.get_layer_version_policy(LayerName=name, VersionNumber=1)
    with pytest.raises(ClientError) as e:
        stranger.delete_layer_version(LayerName=layer_arn, VersionNumber=1)
    assert error_of(e)[:2] == (403, "AccessDeniedException")
    assert owner.get_layer_version(LayerName=name, VersionNumber=1)["Version"] == 1


def test_concurrent_writers_same_revision_exactly_one_wins(server):
    lam = server.client()
    name = unique("cas")
    publish(lam, name)
    rev = lam.add_layer_version_permission(
        LayerName=name, VersionNumber=1, StatementId="seed", Action="lambda:GetLayerVersion", Principal="*"
    )["RevisionId"]

    def racer(i):
        client = server.client()
        try:
            client.add_layer_version_permission(
                LayerName=name, VersionNumber=1, StatementId=f"r{i}", Action="lambda:GetLayerVersion",
                Principal="*", RevisionId=rev,
            )
            return "won"
        except client.exceptions.PreconditionFailedException as e:
            assert e.response["Error"]["Message"] == GET_LAYER_POLICY_412
            return "412"

    with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
        outcomes = list(pool.map(racer, range(32)))
    assert outcomes.count("won") == 1
    assert outcomes.count("412") == 31


def test_create_function_with_layers_boto3(lam):
    a = publish(lam, unique("fl"))
    b = publish(lam, unique("fl"))
    f = create_function(lam, Layers=[a["LayerVersionArn"], b["LayerVersionArn"]])
    assert f["Layers"] == [
        {"Arn": a["LayerVersionArn"], "CodeSize": a["Content"]["CodeSize"]},
        {"Arn": b["LayerVersionArn"], "CodeSize": b["Content"]["CodeSize"]},
    ]
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        create_function(lam, Layers=[a["LayerVersionArn"]] * 6)
    assert error_of(e)[2] == "Cannot reference more than 5 layers."
    missing = a["LayerArn"] + ":42"
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        create_function(lam, Layers=[missing])
    assert error_of(e)[2] == f"Layer version {missing} does not exist."
    a2 = publish(lam, a["LayerArn"].rsplit(":", 1)[1])
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        create_function(lam, Layers=[a["LayerVersionArn"], a2["LayerVersionArn"]])
    assert error_of(e)[2] == (
        "Two different versions of the same layer are not allowed to be referenced in the same function. "
        f"{a['LayerVersionArn']} and {a2['LayerVersionArn']} are versions of the same layer."
    )


# ---- aws cli ----


def test_cli_full_layer_lifecycle(server):
    name = unique("cli-layer")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "layer.zip")
        with open(path, "wb") as f:
            f.write(make_zip("cli"))
        rc, out, err = server.cli(
            "publish-layer-version", "--layer-name", name, "--zip-file", f"fileb://{path}",
            "--description", "from the cli", "--compatible-runtimes", "python3.12", "python3.13",
            "--compatible-architectures", "arm64", "--license-info", "MIT",
        )
        assert rc == 0, err
        assert out["Version"] == 1
        assert out["CompatibleRuntimes"] == ["python3.12", "python3.13"]
        assert out["Content"]["CodeSize"] == os.path.getsize(path)
        rc, out, err = server.cli("publish-layer-version", "--layer-name", name, "--zip-file", f"fileb://{path}")
        assert rc == 0, err
        assert out["Version"] == 2
    lv_arn = out["LayerVersionArn"]

    rc, got, err = server.cli("get-layer-version", "--layer-name", name, "--version-number", "1")
    assert rc == 0, err
    assert got["Description"] == "from the cli"
    rc, got, err = server.cli("get-layer-version-by-arn", "--arn", lv_arn)
    assert rc == 0, err
    assert got["Version"] == 2
    rc, listed, err = server.cli("list-layer-versions", "--layer-name", name)
    assert rc == 0, err
    assert [v["Version"] for v in listed["LayerVersions"]] == [2, 1]
    rc, listed, err = server.cli(
        "list-layer-versions", "--layer-name", name, "--compatible-runtime", "python3.13",
        "--compatible-architecture", "arm64",
    )
    assert rc == 0, err
    assert [v["Version"] for v in listed["LayerVersions"]] == [1]
    rc, listed, err = server.cli("list-layers", "--compatible-runtime", "python3.12", "--page-size", "1")
    assert rc == 0, err
    mine = [l for l in listed["Layers"] if l["LayerName"] == name]
    assert mine[0]["LatestMatchingVersion"]["Version"] == 1
    rc, listed, err = server.cli("list-layers", "--compatible-architecture", "arm64")
    assert rc == 0, err
    assert name in [l["LayerName"] for l in listed["Layers"]]

    rc, added, err = server.cli(
        "add-layer-version-permission", "--layer-name", name, "--version-number", "1", "--statement-id", "org",
        "--action", "lambda:GetLayerVersion", "--principal", "*", "--organization-id", "o-abcdefghij",
    )
    assert rc == 0, err
    assert json.loads(added["Statement"])["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}
    rc, added2, err = server.cli(
        "add-layer-version-permission", "--layer-name", name, "--version-number", "1", "--statement-id", "acct",
        "--action", "lambda:GetLayerVersion", "--principal", "123456789012", "--revision-id", added["RevisionId"],
    )
    assert rc == 0, err
    rc, _, err = server.cli(
        "add-layer-version-permission", "--layer-name", name, "--version-number", "1", "--statement-id", "late",
        "--action", "lambda:GetLayerVersion", "--principal", "*", "--revision-id", added["RevisionId"],
    )
    assert rc == 255
    assert "PreconditionFailedException" in err and GET_LAYER_POLICY_412 in err
    rc, policy, err = server.cli("get-layer-version-policy", "--layer-name", name, "--version-number", "1")
    assert rc == 0, err
    assert policy["RevisionId"] == added2["RevisionId"]
    assert [s["Sid"] for s in json.loads(policy["Policy"])["Statement"]] == ["org", "acct"]
    rc, _, err = server.cli(
        "remove-layer-version-permission", "--layer-name", name, "--version-number", "1", "--statement-id", "org",
        "--revision-id", added2["RevisionId"],
    )
    assert rc == 0, err
    rc, _, err = server.cli(
        "remove-layer-version-permission", "--layer-name", name, "--version-number", "1", "--statement-id", "org",
    )
    assert rc == 255
    assert "Statement org is not found in resource policy." in err

    rc, _, err = server.cli("delete-layer-version", "--layer-name", name, "--version-number", "1")
    assert rc == 0, err
    rc, _, err = server.cli("get-layer-version-policy", "--layer-name", name, "--version-number", "1")
    assert rc == 255
    assert "ResourceNotFoundException" in err and f"Layer version {lv_arn[:-2]}:1 does not exist." in err
    rc, _, err = server.cli("delete-layer-version", "--layer-name", name, "--version-number", "1")
    assert rc == 0, err


def test_cli_errors(server):
    name = unique("cli-err")
    rc, _, err = server.cli("get-layer-version", "--layer-name", name, "--version-number", "0")
    assert rc == 255
    assert "InvalidParameterValueException" in err and "Layer Version Cannot be less than 1" in err
    rc, _, err = server.cli("get-layer-version", "--layer-name", name, "--version-number", "1")
    assert rc == 255
    assert "The resource you requested does not exist." in err
    rc, _, err = server.cli("get-layer-version-by-arn", "--arn", "arn:aws:lambda:us-east-1:000000000000:layer:x")
    assert rc == 255
    assert "(ValidationException)" in err
    assert "at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern" in err
    rc, listed, err = server.cli("list-layer-versions", "--layer-name", name)
    assert rc == 0, err
    assert listed["LayerVersions"] == []
    rc, _, err = server.cli(
        "add-layer-version-permission", "--layer-name", name, "--version-number", "1", "--statement-id", "s",
        "--action", "lambda:GetLayerVersion", "--principal", "*",
    )
    assert rc == 255
    assert f"Layer version arn:aws:lambda:us-east-1:000000000000:layer:{name}:1 does not exist." in err


def test_layer_principal_takes_ascii_digits_only(lam):
    # AWS's patterns are Java regexes, where \d is [0-9]: other scripts' digits are no account id.
    name = unique("layer")
    publish(lam, name)
    arabic = "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662"
    with pytest.raises(ClientError) as e:
        lam.add_layer_version_permission(
            LayerName=name, VersionNumber=1, StatementId="s", Action="lambda:GetLayerVersion", Principal=arabic
        )
    status, code, message = error_of(e)[:3]
    assert (status, code) == (400, "ValidationException")
    assert message == (
        f"1 validation error detected: Value '{arabic}' at 'principal' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: \d{12}|\*|arn:(aws[a-zA-Z-]*):iam::\d{12}:root"
    )
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_layer_version_policy(LayerName=name, VersionNumber=1)
