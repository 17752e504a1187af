"""Policy enforcement through boto3 and the aws cli, with two (or three) access keys as accounts: Invoke DryRun
before and after AddPermission and after RemovePermission, qualifier-scoped grants, cross-account reads, layer
sharing by account, `*` and organization (`--organization`), and the `/_lambdalite/simulate` endpoint.
"""

import json
import os
import tempfile
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import Server, create_function, make_zip, unique

OWNER = "111111111111"
MEMBER = "222222222222"
OUTSIDER = "333333333333"
ORG = "o-abcdefghij"
BUCKET = "arn:aws:s3:::my-bucket-1xpuxmplzrlbh"


def arn(name, account=OWNER):
    return f"arn:aws:lambda:us-east-1:{account}:function:{name}"


def denied(caller, action, resource):
    return (
        403,
        "AccessDeniedException",
        f"User: arn:aws:iam::{caller}:root is not authorized to perform: {action} on resource: {resource} "
        f"because no resource-based policy allows the {action} action",
    )


def error_of(excinfo):
    r = excinfo.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]


def dry_run(client, function, **extra):
    """The status of a DryRun invoke, or (status, code, message) of its error."""
    try:
        return client.invoke(FunctionName=function, InvocationType="DryRun", **extra)["StatusCode"]
    except ClientError as e:
        r = e.response
        return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]


@pytest.fixture
def owner(server):
    return server.client(access_key=OWNER)


@pytest.fixture
def other(server):
    return server.client(access_key=MEMBER)


def test_dry_run_denied_before_grant_allowed_after_and_denied_after_remove(owner, other):
    name = unique("enf")
    create_function(owner, name)
    target = arn(name)
    assert dry_run(owner, name) == 204
    assert dry_run(other, target) == denied(MEMBER, "lambda:InvokeFunction", target)
    owner.add_permission(FunctionName=name, StatementId="xaccount", Action="lambda:InvokeFunction", Principal=MEMBER)
    assert dry_run(other, target) == 204
    assert dry_run(other, f"{OWNER}:function:{name}") == 204
    owner.remove_permission(FunctionName=name, StatementId="xaccount")
    assert dry_run(other, target) == denied(MEMBER, "lambda:InvokeFunction", target)
    # The error is AWS's: a 403 with a capital-M Message, which botocore reports as a ClientError code.
    with pytest.raises(ClientError) as e:
        other.invoke(FunctionName=target, InvocationType="DryRun")
    assert e.value.response["Error"]["Code"] == "AccessDeniedException"


def test_qualifier_scoped_grants_allow_only_that_qualifier(owner, other):
    name = unique("enf")
    create_function(owner, name)
    target = arn(name)
    owner.publish_version(FunctionName=name)
    owner.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    owner.add_permission(
        FunctionName=name, Qualifier="live", StatementId="a", Action="lambda:InvokeFunction", Principal=MEMBER
    )
    assert dry_run(other, f"{target}:live") == 204
    assert dry_run(other, target, Qualifier="live") == 204
    assert dry_run(other, target) == denied(MEMBER, "lambda:InvokeFunction", target)
    assert dry_run(other, f"{target}:1") == denied(MEMBER, "lambda:InvokeFunction", f"{target}:1")
    owner.add_permission(FunctionName=name, StatementId="f", Action="lambda:InvokeFunction", Principal=MEMBER)
    assert dry_run(other, target) == 204
    assert dry_run(other, f"{target}:1") == denied(MEMBER, "lambda:InvokeFunction", f"{target}:1")


def test_invoke_errors_not_found_and_types_that_would_run_code(owner, other):
    name = unique("enf")
    create_function(owner, name)
    assert dry_run(owner, "nope") == (404, "ResourceNotFoundException", f"Function not found: {arn('nope')}")
    assert dry_run(owner, name, Qualifier="9") == (
        404,
        "ResourceNotFoundException",
        f"Function not found: {arn(name)}:9",
    )
    assert dry_run(other, arn("nope")) == denied(MEMBER, "lambda:InvokeFunction", arn("nope"))
    with pytest.raises(owner.exceptions.InvalidParameterValueException) as e:
        owner.invoke(FunctionName=name, Payload=b"{}")
    assert error_of(e)[2].startswith(
        "lambdalite does not run function code, so InvocationType RequestResponse is not supported."
    )
    with pytest.raises(owner.exceptions.InvalidParameterValueException):
        owner.invoke(FunctionName=name, InvocationType="Event")


def test_cli_dry_run(server, owner):
    name = unique("enf")
    create_function(owner, name)
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "out.json")
        rc, body, _ = server.cli(
            "invoke", "--function-name", name, "--invocation-type", "DryRun", out, access_key=OWNER
        )
        assert (rc, body["StatusCode"]) == (0, 204)
        rc, _, err = server.cli(
            "invoke", "--function-name", arn(name), "--invocation-type", "DryRun", out, access_key=MEMBER
        )
        assert rc == 255
        assert "AccessDeniedException" in err and "because no resource-based policy allows" in err


def test_cross_account_reads_need_a_grant(owner, other):
    name = unique("enf")
    create_function(owner, name)
    target = arn(name)
    with pytest.raises(ClientError) as e:
        other.get_function(FunctionName=target)
    assert error_of(e) == denied(MEMBER, "lambda:GetFunction", target)
    with pytest.raises(ClientError) as e:
        other.get_policy(FunctionName=target)
    assert error_of(e) == denied(MEMBER, "lambda:GetPolicy", target)
    owner.add_permission(FunctionName=name, StatementId="read", Action="lambda:GetFunction", Principal=MEMBER)
    assert other.get_function(FunctionName=target)["Configuration"]["FunctionArn"] == target
    with pytest.raises(ClientError) as e:
        other.get_function_configuration(FunctionName=target)
    assert error_of(e)[:2] == (403, "AccessDeniedException")


@pytest.fixture(scope="module")
def org_server():
    s = Server("--organization", f"{ORG}={OWNER},{MEMBER}")
    yield s
    s.stop()


def publish(client, name):
    return client.publish_layer_version(LayerName=name, Content={"ZipFile": make_zip()})


def test_layer_use_across_accounts_needs_a_matching_grant_including_the_organization(org_server):
    owner = org_server.client(access_key=OWNER)
    member = org_server.client(access_key=MEMBER)
    outsider = org_server.client(access_key=OUTSIDER)
    name = unique("layer")
    version_arn = publish(owner, name)["LayerVersionArn"]

    def use(client):
        fn = unique("uses")
        try:
            create_function(client, fn, Layers=[version_arn])
            return "ok"
        except ClientError as e:
            return error_of_response(e)

    # Not shared: reads and use are refused to everyone but the owner.
    with pytest.raises(ClientError) as e:
        member.get_layer_version_by_arn(Arn=version_arn)
    assert error_of(e) == denied(MEMBER, "lambda:GetLayerVersion", version_arn)
    assert use(member) == denied(MEMBER, "lambda:GetLayerVersion", version_arn)
    assert use(owner) == "ok"

    # Shared with the organization: its member, not the outsider.
    owner.add_layer_version_permission(
        LayerName=name,
        VersionNumber=1,
        StatementId="org",
        Action="lambda:GetLayerVersion",
        Principal="*",
        OrganizationId=ORG,
    )
    assert member.get_layer_version_by_arn(Arn=version_arn)["LayerVersionArn"] == version_arn
    assert use(member) == "ok"
    with pytest.raises(ClientError) as e:
        outsider.get_layer_version(LayerName=version_arn.rsplit(":", 1)[0], VersionNumber=1)
    assert error_of(e) == denied(OUTSIDER, "lambda:GetLayerVersion", version_arn)
    assert use(outsider) == denied(OUTSIDER, "lambda:GetLayerVersion", version_arn)

    # Shared with the outsider's account by id.
    owner.add_layer_version_permission(
        LayerName=name, VersionNumber=1, StatementId="acct", Action="lambda:GetLayerVersion", Principal=OUTSIDER
    )
    assert use(outsider) == "ok"
    fn = unique("upd")
    create_function(outsider, fn)
    assert outsider.update_function_configuration(FunctionName=fn, Layers=[version_arn])["Layers"][0]["Arn"] == version_arn

    # Revoking the organization grant shuts the member out again.
    owner.remove_layer_version_permission(LayerName=name, VersionNumber=1, StatementId="org")
    assert use(member) == denied(MEMBER, "lambda:GetLayerVersion", version_arn)


def error_of_response(e):
    r = e.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]


def test_organizations_from_the_environment_with_semicolons():
    s = Server(env={"LAMBDALITE_ORGANIZATIONS": f"o-zzzzzzzzzz={OWNER};{ORG}={OUTSIDER}"})
    try:
        owner = s.client(access_key=OWNER)
        outsider = s.client(access_key=OUTSIDER)
        member = s.client(access_key=MEMBER)
        name = unique("layer")
        version_arn = publish(owner, name)["LayerVersionArn"]
        owner.add_layer_version_permission(
            LayerName=name, VersionNumber=1, StatementId="o", Action="lambda:GetLayerVersion", Principal="*",
            OrganizationId=ORG,
        )
        assert outsider.get_layer_version_by_arn(Arn=version_arn)["Version"] == 1
        with pytest.raises(ClientError) as e:
            member.get_layer_version_by_arn(Arn=version_arn)
        assert error_of(e)[:2] == (403, "AccessDeniedException")
    finally:
        s.stop()


def simulate(server, body):
    req = urllib.request.Request(
        server.url + "/_lambdalite/simulate",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_simulate_service_principals_with_and_without_matching_source(server, owner):
    name = unique("enf")
    create_function(owner, name)
    target = arn(name)

    def ask(principal="s3.amazonaws.com", resource=target, **context):
        return simulate(
            server,
            {"Principal": principal, "Action": "lambda:InvokeFunction", "Resource": resource, "Context": context},
        )

    status, out = ask(**{"aws:SourceArn": BUCKET, "aws:SourceAccount": OWNER})
    assert (status, out["Decision"], out["Reason"]) == (
        200,
        "Deny",
        f"No resource-based policy is attached to {target}.",
    )
    owner.add_permission(
        FunctionName=name,
        StatementId="s3",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn=BUCKET,
        SourceAccount=OWNER,
    )
    status, out = ask(**{"aws:SourceArn": BUCKET, "aws:SourceAccount": OWNER})
    assert (status, out["Decision"], out["MatchedStatement"]) == (200, "Allow", "s3")
    assert "Reason" not in out and "Statements" not in out
    # Condition key names ignore case.
    assert ask(**{"AWS:SOURCEARN": BUCKET, "aws:sourceaccount": OWNER})[1]["Decision"] == "Allow"

    status, out = ask(**{"aws:SourceArn": "arn:aws:s3:::someone-elses-bucket", "aws:SourceAccount": OWNER})
    assert out["Decision"] == "Deny" and "MatchedStatement" not in out
    assert out["Statements"] == [
        {
            "Sid": "s3",
            "Result": "ConditionFailed",
            "Detail": f"condition ArnLike AWS:SourceArn '{BUCKET}' failed: the request's value is "
            "'arn:aws:s3:::someone-elses-bucket'",
        }
    ]
    status, out = ask(**{"aws:SourceArn": BUCKET, "aws:SourceAccount": "999999999999"})
    assert out["Decision"] == "Deny"
    assert "StringEquals AWS:SourceAccount" in out["Statements"][0]["Detail"]
    status, out = ask(**{"aws:SourceArn": BUCKET})
    assert out["Statements"][0]["Detail"] == (
        f"condition StringEquals AWS:SourceAccount '{OWNER}' failed: the request has no AWS:SourceAccount"
    )
    status, out = ask(principal="sns.amazonaws.com", **{"aws:SourceArn": BUCKET, "aws:SourceAccount": OWNER})
    assert (out["Decision"], out["Statements"][0]["Result"]) == ("Deny", "PrincipalMismatch")

    # An account principal: the owner's own account needs no grant; another account needs one.
    status, out = ask(principal=OWNER)
    assert (out["Decision"], out["Basis"]) == ("Allow", "SameAccount")
    assert ask(principal=MEMBER)[1]["Decision"] == "Deny"

    # Bad input: AWS-shaped errors.
    status, out = simulate(server, {"Principal": "s3.amazonaws.com", "Resource": target})
    assert (status, out["message"]) == (
        400,
        "1 validation error detected: Value null at 'action' failed to satisfy constraint: Member must not be null",
    )
    status, out = ask(resource="arn:aws:s3:::not-a-function")
    assert status == 400 and out["message"].startswith("Resource must be a function ARN")
    status, out = ask(resource=arn("missing"))
    assert (status, out["Message"]) == (404, f"Function not found: {arn('missing')}")
    req = urllib.request.Request(server.url + "/_lambdalite/simulate", data=b"{not json", method="POST")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 400
    assert e.value.headers["x-amzn-ErrorType"] == "InvalidRequestContentException"


def test_simulate_layer_versions_with_the_organization(org_server):
    owner = org_server.client(access_key=OWNER)
    name = unique("layer")
    version_arn = publish(owner, name)["LayerVersionArn"]
    owner.add_layer_version_permission(
        LayerName=name, VersionNumber=1, StatementId="org", Action="lambda:GetLayerVersion", Principal="*",
        OrganizationId=ORG,
    )

    def ask(principal, **context):
        body = {"Principal": principal, "Action": "lambda:GetLayerVersion", "Resource": version_arn, "Context": context}
        return simulate(org_server, body)[1]

    # The member's organization comes from --organization; the outsider's from nowhere, unless the context says.
    out = ask(MEMBER)
    assert (out["Decision"], out["MatchedStatement"], out["Context"]["aws:PrincipalOrgID"]) == ("Allow", "org", ORG)
    assert ask(OUTSIDER)["Decision"] == "Deny"
    assert ask(OUTSIDER, **{"aws:PrincipalOrgID": ORG})["Decision"] == "Allow"
    assert ask(f"arn:aws:iam::{MEMBER}:role/builder")["Decision"] == "Allow"
