"""AddPermission, GetPolicy and RemovePermission through boto3 and the aws cli (SPEC §4, §5.3, §6, §7, §8).

boto3 must raise the same modeled exception, with the same members, as against AWS; the cli must accept every
add-permission parameter and exit 255 with AWS's text on a service error.
"""

import json

import pytest
from botocore.exceptions import ClientError

from conftest import Server, create_function, unique

ACCOUNT = "123456789012"
REGION = "us-east-2"
POLICY_412 = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetPolicy API to retrieve the latest Revision Id"
)
GONE = "The resource you requested does not exist."
NS_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?"
    r"(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?"
)
SEED_S3 = (
    '{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction",'
    '"Resource":"arn:aws:lambda:us-east-2:123456789012:function:my-function","Condition":{"StringEquals":'
    '{"AWS:SourceAccount":"123456789012"},"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::my-bucket-1xpuxmplzrlbh"}}}'
)
SEED_XACCOUNT = (
    '{"Sid":"xaccount","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::223456789012:root"},'
    '"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-2:123456789012:function:my-function"}'
)


def arn(name, region="us-east-1", account="000000000000"):
    return f"arn:aws:lambda:{region}:{account}:function:{name}"


def grant(client, name, sid, **extra):
    params = dict(FunctionName=name, StatementId=sid, Action="lambda:InvokeFunction", Principal="*")
    params.update(extra)
    return client.add_permission(**params)


def policy(client, name, **extra):
    r = client.get_policy(FunctionName=name, **extra)
    return json.loads(r["Policy"]), r["RevisionId"], r["Policy"]


def sids(doc):
    return [s["Sid"] for s in doc["Statement"]]


def error_of(excinfo):
    """(status, code, message, Type) as botocore parsed them."""
    r = excinfo.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"], r.get("Type")


@pytest.fixture
def fn(lam):
    name = unique()
    create_function(lam, name)
    return name


# --- statements (SPEC §6) --------------------------------------------------------------------------------------


def test_seed_examples_boto3():
    # A server of its own: the seed's fixed function name must not collide with another test's.
    server = Server()
    try:
        lam = server.client(access_key=ACCOUNT, region=REGION)
        create_function(lam, "my-function")
        # The seed passes SourceArn ".../*" but shows the statement without it. AWS echoes SourceArn verbatim, so
        # the shown output comes from the value without "/*"; the "/*" value is checked just below.
        r = lam.add_permission(
            Action="lambda:InvokeFunction",
            FunctionName="my-function",
            Principal="s3.amazonaws.com",
            SourceAccount="123456789012",
            SourceArn="arn:aws:s3:::my-bucket-1xpuxmplzrlbh",
            StatementId="s3",
        )
        assert r["Statement"] == SEED_S3
        assert r["ResponseMetadata"]["HTTPStatusCode"] == 201
        assert len(r["ResponseMetadata"]["RequestId"]) == 36
        r = lam.add_permission(
            Action="lambda:InvokeFunction",
            FunctionName="my-function",
            Principal="223456789012",
            StatementId="xaccount",
        )
        assert r["Statement"] == SEED_XACCOUNT
        doc, rev, raw = policy(lam, "my-function")
        assert raw == '{"Version":"2012-10-17","Id":"default","Statement":[' + SEED_S3 + "," + SEED_XACCOUNT + "]}"
        assert len(rev) == 36

        r = lam.add_permission(
            Action="lambda:InvokeFunction",
            FunctionName="my-function",
            Principal="s3.amazonaws.com",
            SourceAccount="123456789012",
            SourceArn="arn:aws:s3:::my-bucket-1xpuxmplzrlbh/*",
            StatementId="s3-wildcard",
        )
        assert r["Statement"] == SEED_S3.replace('"Sid":"s3"', '"Sid":"s3-wildcard"').replace(
            "my-bucket-1xpuxmplzrlbh", "my-bucket-1xpuxmplzrlbh/*"
        )
    finally:
        server.stop()


def test_every_member_and_condition_order(lam, fn):
    r = lam.add_permission(
        FunctionName=fn,
        StatementId="url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        SourceArn="arn:aws:s3:::my-bucket",
        SourceAccount="000000000000",
        EventSourceToken="amzn1.ask.skill.x-1_2",
        PrincipalOrgID="o-abcdefghij",
        FunctionUrlAuthType="NONE",
    )
    assert r["Statement"] == (
        '{"Sid":"url","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl","Resource":"'
        + arn(fn)
        + '","Condition":{"StringEquals":{"AWS:SourceAccount":"000000000000","lambda:FunctionUrlAuthType":"NONE",'
        '"aws:PrincipalOrgID":"o-abcdefghij","lambda:EventSourceToken":"amzn1.ask.skill.x-1_2"},'
        '"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::my-bucket"}}}'
    )
    r = grant(lam, fn, "via-url", InvokedViaFunctionUrl=True)
    assert r["Statement"] == (
        '{"Sid":"via-url","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"'
        + arn(fn)
        + '","Condition":{"Bool":{"lambda:InvokedViaFunctionUrl":"true"}}}'
    )
    r = grant(lam, fn, "no-url", InvokedViaFunctionUrl=False)
    assert "Condition" not in json.loads(r["Statement"])
    assert sids(policy(lam, fn)[0]) == ["url", "via-url", "no-url"]


@pytest.mark.parametrize(
    "principal,emitted",
    [
        ("*", "*"),
        ("223456789012", {"AWS": "arn:aws:iam::223456789012:root"}),
        ("arn:aws:iam::223456789012:role/r", {"AWS": "arn:aws:iam::223456789012:role/r"}),
        ("sns.amazonaws.com", {"Service": "sns.amazonaws.com"}),
        ("alexa-appkit.amazon.com", {"Service": "alexa-appkit.amazon.com"}),
    ],
)
def test_principal_forms(lam, fn, principal, emitted):
    r = grant(lam, fn, "p", Principal=principal)
    assert json.loads(r["Statement"])["Principal"] == emitted


def test_errors_are_modeled_exceptions_with_aws_members(lam, fn):
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        grant(lam, fn, "p", Principal="example.org")
    assert error_of(e) == (
        400,
        "InvalidParameterValueException",
        "The provided principal was invalid. Please check the principal and try again.",
        "User",
    )
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        grant(lam, fn, "p", FunctionUrlAuthType="AWS_IAM")
    assert error_of(e)[2] == "FunctionUrlAuthType is only supported for lambda:InvokeFunctionUrl action"
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        grant(lam, fn, "p", Action="lambda:InvokeFunctionUrl", InvokedViaFunctionUrl=True)
    assert error_of(e)[2] == "InvokedViaFunctionUrl is only supported for lambda:InvokeFunction action"
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        grant(lam, fn, "p", Qualifier="$LATEST")
    assert error_of(e)[2] == "We currently do not support adding policies for $LATEST."
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        grant(lam, fn + ":1", "p", Qualifier="2")
    assert error_of(e)[2] == "The derived qualifier from the function name does not match the specified qualifier."

    grant(lam, fn, "dup")
    with pytest.raises(lam.exceptions.ResourceConflictException) as e:
        grant(lam, fn, "dup")
    assert error_of(e) == (
        409,
        "ResourceConflictException",
        "The statement id (dup) provided already exists. Please provide a new statement id, or remove the existing statement.",
        "User",
    )
    with pytest.raises(lam.exceptions.PreconditionFailedException) as e:
        grant(lam, fn, "p", RevisionId="wrong")
    assert error_of(e) == (412, "PreconditionFailedException", POLICY_412, "User")
    # ResourceNotFoundException carries capital-M Message next to Type.
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        grant(lam, "nope-" + fn, "p")
    assert error_of(e) == (404, "ResourceNotFoundException", f"Function not found: {arn('nope-' + fn)}", "User")
    assert e.value.response["Message"] == f"Function not found: {arn('nope-' + fn)}"


def test_not_found_texts(lam, fn):
    unq = arn(fn)
    cases = [
        (lambda: grant(lam, fn, "a", Qualifier="9"), f"Function not found: {unq}:9"),
        (lambda: grant(lam, fn + ":prod", "a"), f"Cannot find alias arn: {unq}:prod"),
        (lambda: grant(lam, fn, "a", Qualifier="$latest"), f"Function not found: {unq}:$latest"),
        (lambda: lam.get_policy(FunctionName="nope-" + fn), GONE),
        (lambda: lam.get_policy(FunctionName=fn), GONE),
        (lambda: lam.get_policy(FunctionName=fn, Qualifier="9"), GONE),
        (lambda: lam.get_policy(FunctionName=fn, Qualifier="prod"), GONE),
        (
            lambda: lam.remove_permission(FunctionName="nope-" + fn, StatementId="a"),
            f"No policy found for: {arn('nope-' + fn)}",
        ),
        (lambda: lam.remove_permission(FunctionName=fn, StatementId="a", Qualifier="prod"), f"Cannot find alias arn: {unq}:prod"),
        (lambda: lam.remove_permission(FunctionName=fn, StatementId="a", Qualifier="9"), f"Function not found: {unq}:9"),
        (lambda: lam.remove_permission(FunctionName=fn, StatementId="a"), "No policy is associated with the given resource."),
    ]
    for call, message in cases:
        with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
            call()
        assert error_of(e) == (404, "ResourceNotFoundException", message, "User")
    grant(lam, fn, "present")
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.remove_permission(FunctionName=fn, StatementId="my.sid")
    assert error_of(e)[2] == "Statement my.sid is not found in resource policy."


def test_validation_exceptions_are_plain_client_errors(raw_lam, fn):
    def violation(member, value, constraint):
        return f"Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"

    with pytest.raises(raw_lam.exceptions.ClientError) as e:
        grant(raw_lam, fn, "my.sid")
    status, code, message, type_ = error_of(e)
    assert (status, code, type_) == (400, "ValidationException", None)
    assert message == "1 validation error detected: " + violation(
        "statementId", "my.sid", "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)"
    )
    # Missing required members are reported together, null unquoted.
    with pytest.raises(raw_lam.exceptions.ClientError) as e:
        raw_lam.add_permission(FunctionName=fn)
    assert error_of(e)[2] == "3 validation errors detected: " + "; ".join(
        f"Value null at '{m}' failed to satisfy constraint: Member must not be null"
        for m in ["statementId", "action", "principal"]
    )
    with pytest.raises(raw_lam.exceptions.ClientError) as e:
        raw_lam.get_policy(FunctionName="bad!", Qualifier="bad?q")
    assert error_of(e)[2] == "2 validation errors detected: " + "; ".join(
        [
            violation("functionName", "bad!", "Member must satisfy regular expression pattern: " + NS_PATTERN),
            violation(
                "qualifier", "bad?q", r"Member must satisfy regular expression pattern: \$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"
            ),
        ]
    )
    with pytest.raises(raw_lam.exceptions.ClientError) as e:
        grant(raw_lam, fn, "a", Action="lambda:InvokeFunctionUrl", FunctionUrlAuthType="OPEN")
    assert error_of(e)[2] == "1 validation error detected: " + violation(
        "functionUrlAuthType", "OPEN", "Member must satisfy enum value set: [NONE, AWS_IAM]"
    )
    with pytest.raises(raw_lam.exceptions.ClientError) as e:
        raw_lam.remove_permission(FunctionName=fn, StatementId="bad sid")
    assert error_of(e)[2] == "1 validation error detected: " + violation(
        "statementId", "bad sid", "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)"
    )


def test_function_name_forms_and_region_account(server, lam, fn):
    v = lam.publish_version(FunctionName=fn)["Version"]
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion=v)
    forms = [
        (fn, {}, arn(fn)),
        (f"{fn}:{v}", {}, f"{arn(fn)}:{v}"),
        (arn(fn), {"Qualifier": "live"}, f"{arn(fn)}:live"),
        (f"{arn(fn)}:live", {}, f"{arn(fn)}:live"),
        (f"000000000000:function:{fn}", {}, arn(fn)),
        (f"000000000000:function:{fn}:{v}", {"Qualifier": v}, f"{arn(fn)}:{v}"),
    ]
    for i, (name, extra, resource) in enumerate(forms):
        r = grant(lam, name, f"f{i}", **extra)
        assert json.loads(r["Statement"])["Resource"] == resource
        assert f"f{i}" in sids(policy(lam, name, **extra)[0])
        lam.remove_permission(FunctionName=name, StatementId=f"f{i}", **extra)

    west = arn(fn, region="us-west-2")
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.get_policy(FunctionName=west)
    assert error_of(e)[2] == "Functions from 'us-west-2' are not reachable in this region ('us-east-1')"
    other = server.client(access_key="999999999999")
    with pytest.raises(other.exceptions.ClientError) as e:
        grant(other, arn(fn), "x")
    assert error_of(e)[:3] == (
        403,
        "AccessDeniedException",
        f"User: arn:aws:iam::999999999999:root is not authorized to perform: lambda:AddPermission on resource: {arn(fn)}",
    )


# --- per-qualifier policies and RevisionId (SPEC §5.3, §8) -----------------------------------------------------


def test_one_policy_per_qualifier_and_revision_ids(lam, fn):
    grant(lam, fn, "s")
    _, unq_rev, _ = policy(lam, fn)
    before_publish = lam.get_function(FunctionName=fn)["Configuration"]["RevisionId"]
    version = lam.publish_version(FunctionName=fn)
    v, v_rev = version["Version"], version["RevisionId"]
    # PublishVersion copies no policy and moves $LATEST's RevisionId, not the policy's.
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_policy(FunctionName=fn, Qualifier=v)
    assert lam.get_function(FunctionName=fn)["Configuration"]["RevisionId"] != before_publish
    assert policy(lam, fn)[1] == unq_rev

    alias_rev = lam.create_alias(FunctionName=fn, Name="live", FunctionVersion=v)["RevisionId"]
    # No policy yet: the version's and the alias's own RevisionIds are the precondition.
    with pytest.raises(lam.exceptions.PreconditionFailedException):
        grant(lam, fn, "s", Qualifier=v, RevisionId=alias_rev)
    grant(lam, fn, "s", Qualifier=v, RevisionId=v_rev)
    grant(lam, fn, "s", Qualifier="live", RevisionId=alias_rev)
    revs = {q: policy(lam, fn, **({"Qualifier": q} if q else {}))[1] for q in [None, v, "live"]}
    assert len(set(revs.values())) == 3
    assert revs[v] != v_rev and revs["live"] != alias_rev

    # Compare-and-swap on remove: stale fails, current passes, the last removal deletes the policy.
    with pytest.raises(lam.exceptions.PreconditionFailedException) as e:
        lam.remove_permission(FunctionName=fn, StatementId="s", Qualifier="live", RevisionId=revs[v])
    assert error_of(e) == (412, "PreconditionFailedException", POLICY_412, "User")
    lam.remove_permission(FunctionName=fn, StatementId="s", Qualifier="live", RevisionId=revs["live"])
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.get_policy(FunctionName=fn, Qualifier="live")
    assert error_of(e)[2] == GONE
    assert policy(lam, fn, Qualifier=v)[1] == revs[v], "other qualifiers untouched"
    grant(lam, fn, "again", Qualifier="live")
    assert policy(lam, fn, Qualifier="live")[1] not in revs.values()


def test_policy_length_limit(lam, fn):
    def big(sid, arn_len):
        return grant(lam, fn, sid, Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::" + "b" * (arn_len - 13))

    big("probe", 100)
    _, _, raw = policy(lam, fn)
    one = len(raw) - len('{"Version":"2012-10-17","Id":"default","Statement":[') - 2
    big("fills", 100 + 20480 - len(raw) - 1 - one)
    _, rev, raw = policy(lam, fn)
    assert len(raw) == 20480
    statement = json.dumps(
        {
            "Sid": "x",
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "lambda:InvokeFunction",
            "Resource": arn(fn),
            "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::b"}},
        },
        separators=(",", ":"),
    )
    with pytest.raises(lam.exceptions.PolicyLengthExceededException) as e:
        big("x", 14)
    n = 20480 + 1 + len(statement)
    assert error_of(e) == (
        400,
        "PolicyLengthExceededException",
        f"The final policy size ({n}) is bigger than the limit (20480).",
        "User",
    )
    assert policy(lam, fn)[1] == rev, "nothing stored"


# --- the aws cli ------------------------------------------------------------------------------------------------


def test_cli_every_add_permission_parameter(server, lam):
    name = unique()
    create_function(lam, name)
    v = lam.publish_version(FunctionName=name)["Version"]
    v_rev = lam.get_function(FunctionName=name, Qualifier=v)["Configuration"]["RevisionId"]

    rc, out, err = server.cli(
        "add-permission", "--function-name", name, "--statement-id", "url",
        "--action", "lambda:InvokeFunctionUrl", "--principal", "*",
        "--source-arn", "arn:aws:s3:::bucket/*", "--source-account", "000000000000",
        "--event-source-token", "tok-1", "--qualifier", v, "--revision-id", v_rev,
        "--principal-org-id", "o-abcdefghij", "--function-url-auth-type", "AWS_IAM",
    )  # fmt: skip
    assert rc == 0, err
    assert out["Statement"] == (
        '{"Sid":"url","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl","Resource":"'
        + f"{arn(name)}:{v}"
        + '","Condition":{"StringEquals":{"AWS:SourceAccount":"000000000000","lambda:FunctionUrlAuthType":"AWS_IAM",'
        '"aws:PrincipalOrgID":"o-abcdefghij","lambda:EventSourceToken":"tok-1"},'
        '"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::bucket/*"}}}'
    )

    rc, out, err = server.cli("get-policy", "--function-name", name, "--qualifier", v)
    assert rc == 0, err
    rev = out["RevisionId"]
    rc, out, err = server.cli(
        "add-permission", "--function-name", name, "--statement-id", "via-url", "--action", "lambda:InvokeFunction",
        "--principal", "*", "--qualifier", v, "--revision-id", rev, "--invoked-via-function-url",
    )  # fmt: skip
    assert rc == 0, err
    assert json.loads(out["Statement"])["Condition"] == {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}}
    rc, out, err = server.cli(
        "add-permission", "--function-name", name, "--statement-id", "no-url", "--action", "lambda:InvokeFunction",
        "--principal", "223456789012", "--qualifier", v, "--no-invoked-via-function-url",
    )  # fmt: skip
    assert rc == 0, err
    assert json.loads(out["Statement"]) == {
        "Sid": "no-url",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::223456789012:root"},
        "Action": "lambda:InvokeFunction",
        "Resource": f"{arn(name)}:{v}",
    }

    # The now-stale RevisionId is refused with AWS's text; the cli exits 255.
    rc, out, err = server.cli(
        "add-permission", "--function-name", name, "--statement-id", "late", "--action", "lambda:InvokeFunction",
        "--principal", "*", "--qualifier", v, "--revision-id", rev,
    )  # fmt: skip
    assert rc == 255
    assert f"An error occurred (PreconditionFailedException) when calling the AddPermission operation: {POLICY_412}" in err

    rc, out, err = server.cli("get-policy", "--function-name", f"{name}:{v}")
    assert rc == 0, err
    assert sids(json.loads(out["Policy"])) == ["url", "via-url", "no-url"]
    rev = out["RevisionId"]
    rc, _, err = server.cli(
        "remove-permission", "--function-name", name, "--statement-id", "url", "--qualifier", v, "--revision-id", "stale"
    )
    assert rc == 255
    assert "(PreconditionFailedException) when calling the RemovePermission operation" in err
    rc, _, err = server.cli(
        "remove-permission", "--function-name", name, "--statement-id", "url", "--qualifier", v, "--revision-id", rev
    )
    assert rc == 0, err
    rc, out, err = server.cli("get-policy", "--function-name", name, "--qualifier", v)
    assert rc == 0, err
    assert sids(json.loads(out["Policy"])) == ["via-url", "no-url"]
    # The unqualified policy never existed.
    rc, _, err = server.cli("get-policy", "--function-name", name)
    assert rc == 255
    assert f"(ResourceNotFoundException) when calling the GetPolicy operation: {GONE}" in err


def test_cli_errors(server, lam):
    name = unique()
    create_function(lam, name)
    cases = [
        (
            ["add-permission", "--function-name", name, "--statement-id", "a", "--action", "lambda:InvokeFunction",
             "--principal", "example.org"],
            "(InvalidParameterValueException) when calling the AddPermission operation: "
            "The provided principal was invalid. Please check the principal and try again.",
        ),
        (
            ["add-permission", "--function-name", f"{name}:$LATEST", "--statement-id", "a", "--action", "lambda:*",
             "--principal", "*"],
            "We currently do not support adding policies for $LATEST.",
        ),
        (
            ["add-permission", "--function-name", name, "--statement-id", "my.sid", "--action", "lambda:*",
             "--principal", "*"],
            "(ValidationException) when calling the AddPermission operation: 1 validation error detected: "
            "Value 'my.sid' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression "
            "pattern: ([a-zA-Z0-9-_]+)",
        ),
        (
            ["remove-permission", "--function-name", name, "--statement-id", "a"],
            "(ResourceNotFoundException) when calling the RemovePermission operation: "
            "No policy is associated with the given resource.",
        ),
        (
            ["remove-permission", "--function-name", name, "--statement-id", "a", "--qualifier", "prod"],
            f"Cannot find alias arn: {arn(name)}:prod",
        ),
    ]  # fmt: skip
    for args, text in cases:
        rc, _, err = server.cli(*args)
        assert rc == 255, args
        assert text in err, (args, err)
    rc, out, err = server.cli(
        "add-permission", "--function-name", name, "--statement-id", "a", "--action", "lambda:*", "--principal", "*"
    )
    assert rc == 0, err
    rc, _, err = server.cli(
        "add-permission", "--function-name", name, "--statement-id", "a", "--action", "lambda:*", "--principal", "*"
    )
    assert rc == 255
    assert "(ResourceConflictException) when calling the AddPermission operation: The statement id (a) provided" in err
    rc, _, err = server.cli("remove-permission", "--function-name", name, "--statement-id", "b")
    assert rc == 255
    assert "Statement b is not found in resource policy." in err


def test_java_pattern_semantics_and_malformed_principals(lam, raw_lam, fn):
    # \d is [0-9] and '.' stops at a line break, as in AWS's Java regexes: both are ValidationExceptions.
    for extra in (
        {"SourceAccount": "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662"},
        {"SourceArn": "arn:aws:s3:::bucket\nx"},
    ):
        with pytest.raises(ClientError) as e:
            grant(raw_lam, fn, "v", **extra)
        assert error_of(e)[:2] == (400, "ValidationException"), extra
    # Principals that only look like an IAM ARN or a service are the modeled invalid-principal error.
    for bad in (".amazonaws.com", "arn:aws:iam:", "arn:aws:iam::1:root", "arn:aws:iam::223456789012:", "a\u00a0b"):
        with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
            grant(lam, fn, "p", Principal=bad)
        assert error_of(e) == (
            400,
            "InvalidParameterValueException",
            "The provided principal was invalid. Please check the principal and try again.",
            "User",
        ), bad
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_policy(FunctionName=fn)
