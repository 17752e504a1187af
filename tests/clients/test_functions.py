"""The function control plane through boto3 and the aws cli against the real binary (SPEC §3, §4, §5.2, §10)."""

import base64
import hashlib
import json
import random

import pytest
from botocore.exceptions import ClientError

from conftest import ROLE, Server, create_function, make_zip, unique

REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
)


def arn(name, account="000000000000", region="us-east-1"):
    return f"arn:aws:lambda:{region}:{account}:function:{name}"


def fresh_account():
    """A 12-digit access key: an account of its own, so listings see only this test's functions."""
    return "".join(random.choice("123456789") for _ in range(12))


def message(exc_info):
    return exc_info.value.response["Error"]["Message"]


def test_create_then_reads_are_settled_and_waiters_return(lam):
    name = unique()
    code = make_zip()
    created = create_function(lam, name, Code={"ZipFile": code})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["State"] == "Pending"
    assert created["StateReason"] == "The function is being created."
    assert created["StateReasonCode"] == "Creating"
    assert "LastUpdateStatus" not in created
    assert created["FunctionArn"] == arn(name)
    assert created["CodeSha256"] == base64.b64encode(hashlib.sha256(code).digest()).decode()
    assert created["CodeSize"] == len(code)
    assert created["EphemeralStorage"] == {"Size": 512}
    assert created["TracingConfig"] == {"Mode": "PassThrough"}
    assert created["SnapStart"] == {"ApplyOn": "None", "OptimizationStatus": "Off"}
    assert created["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}

    cfg = lam.get_function_configuration(FunctionName=name)
    assert cfg["State"] == "Active"
    assert cfg["LastUpdateStatus"] == "Successful"
    assert "StateReason" not in cfg
    assert cfg["RevisionId"] != created["RevisionId"]
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    lam.get_waiter("function_active").wait(FunctionName=name)
    lam.get_waiter("function_exists").wait(FunctionName=name)

    got = lam.get_function(FunctionName=name)
    assert got["Configuration"]["RevisionId"] == cfg["RevisionId"]
    assert got["Code"]["RepositoryType"] == "S3"
    assert got["Code"]["Location"].startswith("http://127.0.0.1:")
    assert "Tags" not in got
    tagged = create_function(lam, unique(), Tags={"team": "a"})
    assert lam.get_function(FunctionName=tagged["FunctionName"])["Tags"] == {"team": "a"}


def test_update_responses_are_in_progress_and_reads_successful(lam):
    name = unique()
    create_function(lam, name)
    before = lam.get_function_configuration(FunctionName=name)
    up = lam.update_function_configuration(FunctionName=name, Timeout=20, Environment={"Variables": {"AA": "1"}})
    assert up["State"] == "Active"
    assert up["LastUpdateStatus"] == "InProgress"
    assert up["LastUpdateStatusReason"] == "The function is being created."
    assert up["LastUpdateStatusReasonCode"] == "Creating"
    assert up["RevisionId"] != before["RevisionId"]
    lam.get_waiter("function_updated_v2").wait(FunctionName=name)
    lam.get_waiter("function_updated").wait(FunctionName=name)
    after = lam.get_function_configuration(FunctionName=name)
    assert after["LastUpdateStatus"] == "Successful"
    assert "LastUpdateStatusReason" not in after
    assert after["RevisionId"] not in (up["RevisionId"], before["RevisionId"])
    assert after["Timeout"] == 20 and after["Environment"] == {"Variables": {"AA": "1"}}

    code = lam.update_function_code(FunctionName=name, ZipFile=make_zip("v2"))
    assert code["LastUpdateStatus"] == "InProgress"
    assert code["CodeSha256"] != after["CodeSha256"]
    # Only present members change: the environment survives a code update and a timeout update.
    again = lam.update_function_configuration(FunctionName=name, MemorySize=512)
    assert again["Timeout"] == 20 and again["Environment"] == {"Variables": {"AA": "1"}}
    assert again["CodeSha256"] == code["CodeSha256"]


def test_positive_settle_delay_keeps_reads_in_flight():
    server = Server("--settle-delay-ms", "600000")
    try:
        lam = server.client()
        name = unique()
        created = create_function(lam, name)
        cfg = lam.get_function_configuration(FunctionName=name)
        assert cfg["State"] == "Pending"
        assert cfg["LastUpdateStatus"] == "InProgress"
        assert cfg["RevisionId"] == created["RevisionId"]
        up = lam.update_function_configuration(FunctionName=name, Description="x")
        cfg = lam.get_function(FunctionName=name)["Configuration"]
        assert (cfg["State"], cfg["LastUpdateStatus"]) == ("Active", "InProgress")
        assert cfg["RevisionId"] == up["RevisionId"]
        listed = lam.list_functions()["Functions"]
        assert [f["FunctionName"] for f in listed] == [name]
        assert "State" not in listed[0]
    finally:
        server.stop()


def test_list_functions_pages_versions_and_trims(server):
    lam = server.client(access_key=fresh_account())
    for name in ["b", "a", "c"]:
        create_function(lam, name)
    lam.publish_version(FunctionName="a")
    out = lam.list_functions()
    assert [f["FunctionName"] for f in out["Functions"]] == ["a", "b", "c"]
    assert "NextMarker" not in out
    item = out["Functions"][0]
    assert item["FunctionArn"].endswith(":function:a")
    for absent in ["State", "StateReason", "LastUpdateStatus", "RuntimeVersionConfig"]:
        assert absent not in item
    pages = list(lam.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 1}))
    assert [p["Functions"][0]["FunctionName"] for p in pages] == ["a", "b", "c"]
    everything = lam.list_functions(FunctionVersion="ALL", MasterRegion="ALL")["Functions"]
    assert [f["FunctionArn"].split(":function:")[1] for f in everything] == ["a:$LATEST", "a:1", "b:$LATEST", "c:$LATEST"]
    assert [f["Version"] for f in everything] == ["$LATEST", "1", "$LATEST", "$LATEST"]


def test_list_functions_rejects_bad_members(raw_lam):
    with pytest.raises(ClientError) as e:
        raw_lam.list_functions(FunctionVersion="LATEST")
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert message(e) == (
        "1 validation error detected: Value 'LATEST' at 'functionVersion' failed to satisfy constraint: "
        "Member must satisfy enum value set: [ALL]"
    )
    with pytest.raises(ClientError) as e:
        raw_lam.list_functions(MaxItems=10001)
    assert message(e).endswith("Member must have value less than or equal to 10000")


def test_get_function_qualifiers_and_errors(lam):
    name = unique()
    create_function(lam, name)
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    assert lam.get_function(FunctionName=name, Qualifier="$LATEST")["Configuration"]["FunctionArn"] == arn(name) + ":$LATEST"
    via_alias = lam.get_function_configuration(FunctionName=f"{name}:live")
    assert (via_alias["FunctionArn"], via_alias["Version"]) == (arn(name) + ":live", "1")
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.get_function(FunctionName=name, Qualifier="9")
    assert message(e) == f"Function not found: {arn(name)}:9"
    assert e.value.response["Type"] == "User"
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.get_function_configuration(FunctionName=name, Qualifier="$latest")
    assert message(e) == f"Function not found: {arn(name)}:$latest"
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        lam.get_function(FunctionName=f"{name}:1", Qualifier="live")
    assert message(e) == "The derived qualifier from the function name does not match the specified qualifier."
    with pytest.raises(ClientError) as e:
        lam.get_function(FunctionName="bad!name")
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "Type" not in e.value.response
    # 65 characters is not a validation error for GetFunction, just a missing function.
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function(FunctionName="a" * 65)


def test_delete_function_rules(lam):
    name = unique()
    create_function(lam, name)
    lam.publish_version(FunctionName=name)
    lam.update_function_configuration(FunctionName=name, Timeout=9)
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")

    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        lam.delete_function(FunctionName=name, Qualifier="live")
    assert message(e) == "Deletion of aliases is not currently supported."
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        lam.delete_function(FunctionName="does-not-exist", Qualifier="live")
    assert message(e) == "Deletion of aliases is not currently supported."
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        lam.delete_function(FunctionName=f"{name}:$LATEST")
    assert message(e) == "$LATEST version cannot be deleted without deleting the function."
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.delete_function(FunctionName="does-not-exist", Qualifier="1")
    assert message(e) == f"Function not found: {arn('does-not-exist')}"
    with pytest.raises(lam.exceptions.ResourceConflictException) as e:
        lam.delete_function(FunctionName=name, Qualifier="1")
    assert message(e) == "Unable to delete version because the following aliases reference it: [live]"

    lam.add_permission(FunctionName=name, Qualifier="2", StatementId="s", Action="lambda:InvokeFunction", Principal="*")
    out = lam.delete_function(FunctionName=name, Qualifier="2")
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert out["StatusCode"] == 204
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_policy(FunctionName=name, Qualifier="2")
    lam.delete_function(FunctionName=name, Qualifier="2")
    versions = lam.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1"]

    lam.delete_function(FunctionName=name)
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.get_function(FunctionName=name)
    assert message(e) == f"Function not found: {arn(name)}"
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.delete_function(FunctionName=name)


def test_update_function_code_rules(lam):
    name = unique()
    create_function(lam, name)
    cfg = lam.get_function_configuration(FunctionName=name)
    with pytest.raises(lam.exceptions.PreconditionFailedException) as e:
        lam.update_function_code(FunctionName=name, ZipFile=make_zip("x"), RevisionId="wrong")
    assert message(e) == REVISION_MISMATCH
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        lam.update_function_code(FunctionName=name, ImageUri="repo/app:1")
    assert message(e) == "Please don't provide ImageUri when updating a function with packageType Zip."
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        lam.update_function_code(FunctionName=name, ZipFile=b"not a zip")
    assert message(e) == "Could not unzip uploaded file. Please check your file, then try to upload again."
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        lam.update_function_code(FunctionName=name, S3Bucket="my-bucket", S3Key="code.zip")
    assert message(e) == (
        "Error occurred while GetObject. S3 Error Code: NoSuchBucket. "
        "S3 Error Message: The specified bucket does not exist"
    )
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.update_function_code(FunctionName="does-not-exist", ZipFile=make_zip())
    assert message(e) == f"Function not found: {arn('does-not-exist')}"

    dry = lam.update_function_code(FunctionName=name, ZipFile=make_zip("dry"), DryRun=True)
    assert dry["CodeSha256"] != cfg["CodeSha256"]
    assert lam.get_function_configuration(FunctionName=name)["RevisionId"] == cfg["RevisionId"]

    out = lam.update_function_code(
        FunctionName=name, ZipFile=make_zip("v2"), RevisionId=cfg["RevisionId"], Publish=True, Architectures=["arm64"]
    )
    assert (out["Version"], out["FunctionArn"]) == ("1", arn(name) + ":1")
    assert out["Architectures"] == ["arm64"]
    lam.get_waiter("published_version_active").wait(FunctionName=name, Qualifier="1")
    with pytest.raises(ClientError) as e:
        lam.update_function_code(FunctionName=name, ZipFile=make_zip(), Architectures=["x86_64", "arm64"])
    assert message(e) == (
        "1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: "
        "Member must have length less than or equal to 1"
    )


def test_image_functions(lam):
    name = unique("img")
    uri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1"
    out = lam.create_function(FunctionName=name, Role=ROLE, PackageType="Image", Code={"ImageUri": uri})
    assert out["PackageType"] == "Image"
    assert "RuntimeVersionConfig" not in out
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        lam.update_function_code(FunctionName=name, ZipFile=make_zip())
    assert message(e) == "Please provide ImageUri when updating a function with packageType Image."
    lam.update_function_code(FunctionName=name, ImageUri=uri.replace(":1", ":2"))
    code = lam.get_function(FunctionName=name)["Code"]
    assert (code["RepositoryType"], code["ImageUri"]) == ("ECR", uri.replace(":1", ":2"))


def test_update_function_configuration_errors(lam, raw_lam):
    name = unique()
    create_function(lam, name)
    with pytest.raises(lam.exceptions.PreconditionFailedException) as e:
        lam.update_function_configuration(FunctionName=name, RevisionId="wrong", Timeout=5)
    assert message(e) == REVISION_MISMATCH
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        raw_lam.update_function_configuration(FunctionName=name, Runtime="cobol")
    assert message(e).startswith("Value cobol at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [")
    assert message(e).endswith("] or be a valid ARN")
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        lam.update_function_configuration(FunctionName=name, Runtime="go1.x")
    assert message(e).startswith("The runtime parameter of go1.x is no longer supported")
    layer = "arn:aws:lambda:us-east-1:000000000000:layer:nope:1"
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        lam.update_function_configuration(FunctionName=name, Layers=[layer])
    assert message(e) == f"Layer version {layer} does not exist."
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        lam.update_function_configuration(FunctionName=name, Layers=[f"{layer[:-1]}{i}" for i in range(1, 7)])
    assert message(e) == "Cannot reference more than 5 layers."
    with pytest.raises(ClientError) as e:
        raw_lam.update_function_configuration(FunctionName=name, Timeout=901, Role="nope")
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert message(e).startswith("2 validation errors detected: Value 'nope' at 'role' failed to satisfy constraint")
    assert message(e).endswith(
        "Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900"
    )
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.update_function_configuration(FunctionName="does-not-exist", Timeout=5)
    assert message(e) == f"Function not found: {arn('does-not-exist')}"
    assert lam.get_function_configuration(FunctionName=name)["Timeout"] == 3


def test_publish_version_rules(lam):
    name = unique()
    create_function(lam, name)
    before = lam.get_function_configuration(FunctionName=name)
    with pytest.raises(lam.exceptions.PreconditionFailedException) as e:
        lam.publish_version(FunctionName=name, RevisionId="wrong")
    assert message(e) == REVISION_MISMATCH
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        lam.publish_version(FunctionName=name, CodeSha256="abc")
    assert message(e) == (
        f"CodeSHA256 (abc) is different from current CodeSHA256 in $LATEST ({before['CodeSha256']}). "
        "Please try again with the CodeSHA256 in $LATEST."
    )
    v1 = lam.publish_version(FunctionName=name, Description="one", CodeSha256=before["CodeSha256"])
    assert v1["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (v1["Version"], v1["Description"], v1["State"], v1["LastUpdateStatus"]) == ("1", "one", "Active", "Successful")
    assert v1["FunctionArn"] == arn(name) + ":1"
    latest = lam.get_function_configuration(FunctionName=name)
    assert latest["RevisionId"] != before["RevisionId"]
    again = lam.publish_version(FunctionName=name)
    assert (again["Version"], again["RevisionId"]) == ("1", v1["RevisionId"])
    assert lam.get_function_configuration(FunctionName=name)["RevisionId"] == latest["RevisionId"]


def test_list_versions_by_function(lam):
    name = unique()
    create_function(lam, name)
    for t in (4, 5, 6):
        lam.update_function_configuration(FunctionName=name, Timeout=t)
        lam.publish_version(FunctionName=name)
    pages = list(lam.get_paginator("list_versions_by_function").paginate(FunctionName=name, PaginationConfig={"PageSize": 1}))
    versions = [v for p in pages for v in p["Versions"]]
    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2", "3"]
    assert [v["FunctionArn"] for v in versions] == [f"{arn(name)}:{v}" for v in ["$LATEST", "1", "2", "3"]]
    assert [v["Timeout"] for v in versions] == [6, 4, 5, 6]
    assert all("State" not in v for v in versions)
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.list_versions_by_function(FunctionName="does-not-exist")
    assert message(e) == f"Function not found: {arn('does-not-exist')}"


def test_create_function_errors(lam, raw_lam):
    name = unique()
    create_function(lam, name)
    with pytest.raises(lam.exceptions.ResourceConflictException) as e:
        create_function(lam, name)
    assert message(e) == f"Function already exist: {name}"
    long = "a" * 65
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        create_function(lam, long)
    assert message(e) == (
        f"1 validation error detected: Value '{long}' at 'functionName' failed to satisfy constraint: "
        "Member must have length less than or equal to 64"
    )
    with pytest.raises(ClientError) as e:
        create_function(raw_lam, unique(), Role="arn:aws:iam::000000000000:user/u")
    assert message(e) == (
        "1 validation error detected: Value 'arn:aws:iam::000000000000:user/u' at 'role' failed to satisfy "
        r"constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"
    )
    with pytest.raises(ClientError) as e:
        raw_lam.create_function(FunctionName=unique(), Role=ROLE)
    assert message(e) == "1 validation error detected: Value null at 'code' failed to satisfy constraint: Member must not be null"
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        create_function(lam, unique(), Environment={"Variables": {"KEY": "v" * 5000}})
    assert message(e).startswith("Lambda was unable to configure your environment variables because")


def test_accounts_and_regions_are_isolated(server):
    acct_a, acct_b = fresh_account(), fresh_account()
    a = server.client(access_key=acct_a)
    b = server.client(access_key=acct_b)
    west = server.client(access_key=acct_a, region="us-west-2")
    for c in (a, b, west):
        create_function(c, "shared")
    a.update_function_configuration(FunctionName="shared", Timeout=11)
    assert a.get_function_configuration(FunctionName="shared")["Timeout"] == 11
    assert b.get_function_configuration(FunctionName="shared")["Timeout"] == 3
    assert west.get_function_configuration(FunctionName="shared")["FunctionArn"] == arn("shared", acct_a, "us-west-2")
    b.delete_function(FunctionName="shared")
    a.get_function(FunctionName="shared")
    west.get_function(FunctionName="shared")

    with pytest.raises(a.exceptions.ResourceNotFoundException) as e:
        a.get_function(FunctionName=arn("shared", acct_a, "us-west-2"))
    assert message(e) == "Functions from 'us-west-2' are not reachable in this region ('us-east-1')"
    with pytest.raises(ClientError) as e:
        create_function(a, arn("theirs", acct_b))
    assert e.value.response["Error"]["Code"] == "AccessDeniedException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError) as e:
        a.delete_function(FunctionName=arn("shared", acct_b))
    assert e.value.response["Error"]["Code"] == "AccessDeniedException"
    assert message(e) == (
        f"User: arn:aws:iam::{acct_a}:root is not authorized to perform: lambda:DeleteFunction "
        f"on resource: {arn('shared', acct_b)}"
    )


def test_cli_walk(server, tmp_path):
    name = unique("cli")
    path = tmp_path / "code.zip"
    path.write_bytes(make_zip())
    rc, out, err = server.cli(
        "create-function", "--function-name", name, "--runtime", "python3.12", "--role", ROLE,
        "--handler", "index.handler", "--zip-file", f"fileb://{path}",
    )
    assert rc == 0, err
    assert out["State"] == "Pending"
    rc, _, err = server.cli("wait", "function-active-v2", "--function-name", name)
    assert rc == 0, err
    rc, out, err = server.cli("get-function", "--function-name", name)
    assert rc == 0, err
    assert out["Configuration"]["State"] == "Active"
    rc, out, err = server.cli("get-function-configuration", "--function-name", name)
    assert rc == 0 and out["LastUpdateStatus"] == "Successful", err
    rc, out, err = server.cli("list-functions")
    assert rc == 0, err
    assert name in [f["FunctionName"] for f in out["Functions"]]
    rc, out, err = server.cli("update-function-configuration", "--function-name", name, "--timeout", "15")
    assert rc == 0 and out["Timeout"] == 15 and out["LastUpdateStatus"] == "InProgress", err
    rc, _, err = server.cli("wait", "function-updated-v2", "--function-name", name)
    assert rc == 0, err
    path.write_bytes(make_zip("v2"))
    rc, out, err = server.cli("update-function-code", "--function-name", name, "--zip-file", f"fileb://{path}")
    assert rc == 0, err
    rc, out, err = server.cli("publish-version", "--function-name", name, "--description", "v1")
    assert rc == 0 and out["Version"] == "1", err
    rc, _, err = server.cli("wait", "published-version-active", "--function-name", name, "--qualifier", "1")
    assert rc == 0, err
    rc, out, err = server.cli("list-versions-by-function", "--function-name", name)
    assert rc == 0 and [v["Version"] for v in out["Versions"]] == ["$LATEST", "1"], err
    rc, out, err = server.cli("create-alias", "--function-name", name, "--name", "live", "--function-version", "1")
    assert rc == 0 and out["AliasArn"] == arn(name) + ":live", err
    rc, out, err = server.cli("get-alias", "--function-name", name, "--name", "live")
    assert rc == 0 and out["FunctionVersion"] == "1", err
    rc, out, err = server.cli(
        "update-alias", "--function-name", name, "--name", "live", "--function-version", "$LATEST", "--description", "d"
    )
    assert rc == 0 and (out["FunctionVersion"], out["Description"]) == ("$LATEST", "d"), err
    rc, out, err = server.cli("list-aliases", "--function-name", name)
    assert rc == 0 and [a["Name"] for a in out["Aliases"]] == ["live"], err
    rc, out, err = server.cli("delete-alias", "--function-name", name, "--name", "live")
    assert rc == 0, err
    rc, out, err = server.cli("delete-function", "--function-name", name, "--qualifier", "1")
    assert rc == 0, err
    rc, out, err = server.cli("delete-function", "--function-name", name)
    assert rc == 0, err


def test_cli_errors(server, lam):
    rc, out, err = server.cli("get-function", "--function-name", "cli-does-not-exist")
    assert rc == 255
    assert "ResourceNotFoundException" in err
    assert f"Function not found: {arn('cli-does-not-exist')}" in err
    name = unique("cli")
    create_function(lam, name)
    rc, out, err = server.cli("delete-function", "--function-name", name, "--qualifier", "$LATEST")
    assert rc == 255
    assert "InvalidParameterValueException" in err
    assert "$LATEST version cannot be deleted without deleting the function." in err
    rc, out, err = server.cli("update-function-configuration", "--function-name", name, "--revision-id", "nope")
    assert rc == 255
    assert "PreconditionFailedException" in err
    rc, out, err = server.cli("list-functions", "--function-version", "LATEST")
    assert rc == 255
    assert "ValidationException" in err
    assert "Member must satisfy enum value set: [ALL]" in err


def test_response_metadata_and_status_codes(lam):
    name = unique()
    out = create_function(lam, name)
    assert len(out["ResponseMetadata"]["RequestId"]) == 36
    assert out["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/json"
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.get_function(FunctionName=unique())
    meta = e.value.response["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 404 and len(meta["RequestId"]) == 36
    assert json.loads(json.dumps(e.value.response["Error"]))["Code"] == "ResourceNotFoundException"


def test_name_forms_and_length_limits(lam, raw_lam):
    # `...:function` parses with `function` as the name (SPEC §4.2).
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.get_function(FunctionName="arn:aws:lambda:us-east-1:000000000000:function")
    assert message(e) == f"Function not found: {arn('function')}"
    long = "a" * 141
    with pytest.raises(ClientError) as e:
        raw_lam.delete_function(FunctionName=long)
    assert message(e) == (
        f"1 validation error detected: Value '{long}' at 'functionName' failed to satisfy constraint: "
        "Member must have length less than or equal to 140"
    )
    with pytest.raises(ClientError) as e:
        raw_lam.get_function(FunctionName="f", Qualifier="bad?qualifier")
    assert message(e) == (
        "1 validation error detected: Value 'bad?qualifier' at 'qualifier' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: \$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"
    )
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        lam.list_functions(Marker="!!not-a-marker")
    assert message(e) == "Invalid Marker: !!not-a-marker"


ENV_NAME_TEXT = (
    "1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must "
    "satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]"
)


def test_environment_names_and_reserved_keys(lam, raw_lam):
    name = unique()
    create_function(lam, name)
    # A one-letter name fails the model pattern; boto3 raises a plain ClientError (ValidationException is unmodeled).
    for call in (
        lambda: create_function(raw_lam, unique(), Environment={"Variables": {"X": "1"}}),
        lambda: raw_lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"my-var": "1"}}),
    ):
        with pytest.raises(ClientError) as e:
            call()
        assert e.value.response["Error"]["Code"] == "ValidationException"
        assert message(e) == ENV_NAME_TEXT
    # Reserved keys: an IPVE listing them in request order.
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        lam.update_function_configuration(
            FunctionName=name,
            Environment={"Variables": {"AWS_SECRET_ACCESS_KEY": "s", "MINE": "m", "AWS_ACCESS_KEY_ID": "k"}},
        )
    assert message(e) == (
        "Lambda was unable to configure your environment variables because the environment variables you have "
        "provided contains reserved keys that are currently not supported for modification. Reserved keys used in "
        "this request: AWS_SECRET_ACCESS_KEY, AWS_ACCESS_KEY_ID"
    )
    assert "Environment" not in lam.get_function_configuration(FunctionName=name)
    # A valid name next to them goes through.
    out = lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"AB": "1"}})
    assert out["Environment"] == {"Variables": {"AB": "1"}}


def test_nested_members_are_validated(raw_lam):
    with pytest.raises(ClientError) as e:
        create_function(
            raw_lam,
            unique(),
            DeadLetterConfig={"TargetArn": "queue"},
            LoggingConfig={"LogGroup": "bad group"},
        )
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert message(e) == (
        "2 validation errors detected: Value 'queue' at 'deadLetterConfig.targetArn' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|(); "
        "Value 'bad group' at 'loggingConfig.logGroup' failed to satisfy constraint: Member must satisfy regular "
        r"expression pattern: [\.\-_/#A-Za-z0-9]+"
    )
    with pytest.raises(ClientError) as e:
        raw_lam.list_functions(MasterRegion="mars")
    assert message(e).endswith(r"at 'masterRegion' failed to satisfy constraint: Member must satisfy regular expression pattern: ALL|[a-z]{2}(-gov)?-[a-z]+-\d{1}")


def test_publish_version_only_publishes_real_changes(lam):
    name = unique()
    code = make_zip()
    create_function(lam, name, Code={"ZipFile": code})
    v1 = lam.publish_version(FunctionName=name)
    # Same zip, same timeout: updates with new RevisionIds, but nothing a version holds changed.
    lam.update_function_code(FunctionName=name, ZipFile=code)
    lam.update_function_configuration(FunctionName=name, Timeout=3)
    again = lam.publish_version(FunctionName=name)
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (again["Version"], again["RevisionId"]) == ("1", v1["RevisionId"])
    lam.update_function_configuration(FunctionName=name, Timeout=4)
    assert lam.publish_version(FunctionName=name)["Version"] == "2"
    versions = lam.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2"]


def test_list_functions_answers_the_older_trailing_slash_path(server, lam):
    # Older models (botocore before 2023, Debian's awscli) send ListFunctions as GET /2015-03-31/functions/.
    fn = create_function(lam)
    sent = []

    def add_slash(request, **_):
        base, sep, query = request.url.partition("?")
        request.url = base + "/" + sep + query
        sent.append(request.url)

    lam.meta.events.register("before-sign.lambda.ListFunctions", add_slash)
    pages = lam.get_paginator("list_functions").paginate()
    names = [f["FunctionName"] for page in pages for f in page["Functions"]]
    assert sent and all(url.startswith(server.url + "/2015-03-31/functions/") for url in sent), sent
    assert fn["FunctionName"] in names
