"""Aliases through boto3 against the real binary: create, get, update, delete, list (SPEC §5.2, §11, §13.2)."""

import pytest
from botocore.exceptions import ClientError

from conftest import create_function, unique


def arn(name):
    return f"arn:aws:lambda:us-east-1:000000000000:function:{name}"


def message(exc_info):
    return exc_info.value.response["Error"]["Message"]


def with_versions(lam, n):
    name = unique()
    create_function(lam, name)
    for t in range(n):
        lam.update_function_configuration(FunctionName=name, Timeout=10 + t)
        lam.publish_version(FunctionName=name)
    return name


def test_create_and_get(lam):
    name = with_versions(lam, 2)
    before = lam.get_function_configuration(FunctionName=name)["RevisionId"]
    out = lam.create_alias(
        FunctionName=name, Name="2025-06-30", FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.2}},
    )
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert out["AliasArn"] == f"{arn(name)}:2025-06-30"
    assert (out["Name"], out["FunctionVersion"], out["Description"]) == ("2025-06-30", "1", "")
    assert out["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.2}}
    assert lam.get_function_configuration(FunctionName=name)["RevisionId"] == before
    got = lam.get_alias(FunctionName=name, Name="2025-06-30")
    assert {k: v for k, v in got.items() if k != "ResponseMetadata"} == {
        k: v for k, v in out.items() if k != "ResponseMetadata"
    }
    plain = lam.create_alias(FunctionName=name, Name="plain", FunctionVersion="$LATEST", Description="x")
    assert "RoutingConfig" not in plain
    empty = lam.create_alias(FunctionName=name, Name="empty", FunctionVersion="2", RoutingConfig={"AdditionalVersionWeights": {}})
    assert "RoutingConfig" not in empty


def test_create_errors(lam, raw_lam):
    name = with_versions(lam, 2)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    with pytest.raises(lam.exceptions.ResourceConflictException) as e:
        lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    assert message(e) == f"Alias already exists: {arn(name)}:live"
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.create_alias(FunctionName=name, Name="x", FunctionVersion="9")
    assert message(e) == f"Function not found: {arn(name)}:9"
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.create_alias(FunctionName="does-not-exist", Name="x", FunctionVersion="1")
    assert message(e) == f"Function not found: {arn('does-not-exist')}:1"
    with pytest.raises(ClientError) as e:
        lam.create_alias(FunctionName=name, Name="123", FunctionVersion="1")
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert message(e) == (
        "1 validation error detected: Value '123' at 'name' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)"
    )
    with pytest.raises(ClientError) as e:
        raw_lam.create_alias(FunctionName=name, FunctionVersion="1")
    assert message(e) == "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"

    # Without client-side validation, so that out-of-range weights reach the server.
    def routed(weights, version="1"):
        return raw_lam.create_alias(
            FunctionName=name, Name="r", FunctionVersion=version, RoutingConfig={"AdditionalVersionWeights": weights}
        )

    with pytest.raises(raw_lam.exceptions.InvalidParameterValueException) as e:
        routed({"1": 0.1, "2": 0.2})
    assert message(e) == "Number of items in AdditionalVersionWeights cannot be greater than 1"
    with pytest.raises(ClientError) as e:
        routed({"2": -1.0})
    assert message(e) == (
        "1 validation error detected: Value '{2=-1.0}' at 'routingConfig.additionalVersionWeights' failed to "
        "satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, "
        "Member must have value greater than or equal to 0.0, Member must not be null]"
    )
    with pytest.raises(ClientError) as e:
        routed({"$LATEST": 0.3})
    assert "Map keys must satisfy constraint: [Member must have length less than or equal to 1024" in message(e)
    with pytest.raises(raw_lam.exceptions.InvalidParameterValueException) as e:
        routed({"1": 0.3})
    assert message(e) == "Invalid function version 1. Function version 1 is already included in routing configuration."
    with pytest.raises(raw_lam.exceptions.InvalidParameterValueException) as e:
        routed({"1": 0.3}, version="$LATEST")
    assert message(e) == "$LATEST is not supported for an alias pointing to more than 1 version"
    # AWS sends this one body without `Type`.
    assert "Type" not in e.value.response
    with pytest.raises(raw_lam.exceptions.ResourceNotFoundException) as e:
        routed({"5": 0.3})
    assert message(e) == f"Function not found: {arn(name)}:5"


def test_get_errors(lam):
    name = with_versions(lam, 1)
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.get_alias(FunctionName=name, Name="nope")
    assert message(e) == f"Cannot find alias arn: {arn(name)}:nope"
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.get_alias(FunctionName="does-not-exist", Name="nope")
    assert message(e) == f"Function not found: {arn('does-not-exist')}"


def test_update(lam):
    name = with_versions(lam, 3)
    created = lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1", Description="d")
    same = lam.update_alias(FunctionName=name, Name="live")
    assert same["RevisionId"] != created["RevisionId"]
    assert (same["FunctionVersion"], same["Description"]) == ("1", "d")
    routed = lam.update_alias(
        FunctionName=name, Name="live", FunctionVersion="2", RevisionId=same["RevisionId"],
        RoutingConfig={"AdditionalVersionWeights": {"3": 0.5}},
    )
    assert (routed["FunctionVersion"], routed["RoutingConfig"]) == ("2", {"AdditionalVersionWeights": {"3": 0.5}})
    kept = lam.update_alias(FunctionName=name, Name="live", Description="e")
    assert kept["RoutingConfig"] == {"AdditionalVersionWeights": {"3": 0.5}}
    cleared = lam.update_alias(FunctionName=name, Name="live", RoutingConfig={"AdditionalVersionWeights": {}})
    assert "RoutingConfig" not in cleared
    assert lam.get_alias(FunctionName=name, Name="live")["RevisionId"] == cleared["RevisionId"]
    assert lam.get_function_configuration(FunctionName=name, Qualifier="live")["Version"] == "2"


def test_update_errors(lam, raw_lam):
    name = with_versions(lam, 2)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.update_alias(FunctionName=name, Name="nope", FunctionVersion="1")
    assert message(e) == f"Alias not found: {arn(name)}:nope"
    with pytest.raises(lam.exceptions.PreconditionFailedException) as e:
        lam.update_alias(FunctionName=name, Name="live", RevisionId="wrong")
    assert message(e) == (
        "The Revision Id provided does not match the latest Revision Id. "
        "Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
    )
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.update_alias(FunctionName=name, Name="live", FunctionVersion="7")
    assert message(e) == f"Function not found: {arn(name)}:7"
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as e:
        lam.update_alias(FunctionName=name, Name="live", RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}})
    assert message(e) == "Invalid function version 1. Function version 1 is already included in routing configuration."
    with pytest.raises(ClientError) as e:
        raw_lam.update_alias(FunctionName=name, Name="live", FunctionVersion="v1")
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "Value 'v1' at 'functionVersion'" in message(e)
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.update_alias(FunctionName="does-not-exist", Name="live")
    assert message(e) == f"Function not found: {arn('does-not-exist')}"
    assert lam.get_alias(FunctionName=name, Name="live")["FunctionVersion"] == "1"


def test_delete_is_idempotent_and_takes_the_policy(lam):
    name = with_versions(lam, 1)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    lam.add_permission(FunctionName=name, Qualifier="live", StatementId="s", Action="lambda:InvokeFunction", Principal="*")
    out = lam.delete_alias(FunctionName=name, Name="live")
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert lam.delete_alias(FunctionName=name, Name="live")["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_alias(FunctionName=name, Name="live")
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.get_policy(FunctionName=name, Qualifier="live")
    assert message(e) == "The resource you requested does not exist."
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.delete_alias(FunctionName="does-not-exist", Name="live")
    assert message(e) == f"Function not found: {arn('does-not-exist')}"


def test_list_filter_and_paginator_with_page_size_one(lam):
    name = with_versions(lam, 2)
    for alias, version in [("c", "1"), ("a", "2"), ("b", "1"), ("d", "$LATEST")]:
        lam.create_alias(FunctionName=name, Name=alias, FunctionVersion=version)
    out = lam.list_aliases(FunctionName=name)
    assert [a["Name"] for a in out["Aliases"]] == ["a", "b", "c", "d"]
    assert "NextMarker" not in out
    assert [a["Name"] for a in lam.list_aliases(FunctionName=name, FunctionVersion="1")["Aliases"]] == ["b", "c"]
    assert [a["Name"] for a in lam.list_aliases(FunctionName=name, FunctionVersion="$LATEST")["Aliases"]] == ["d"]
    pages = list(lam.get_paginator("list_aliases").paginate(FunctionName=name, PaginationConfig={"PageSize": 1}))
    assert [a["Name"] for p in pages for a in p["Aliases"]] == ["a", "b", "c", "d"]
    assert all(len(p["Aliases"]) <= 1 for p in pages)
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.list_aliases(FunctionName="does-not-exist")
    assert message(e) == f"Function not found: {arn('does-not-exist')}"


def test_cross_account_reads_need_a_grant_and_writes_are_denied(server):
    owner = server.client(access_key="333333333333")
    other = server.client(access_key="444444444444")
    name = unique()
    create_function(owner, name)
    owner.create_alias(FunctionName=name, Name="live", FunctionVersion="$LATEST")
    partial = f"333333333333:function:{name}"
    # Reads follow the ARN only once the function's policy grants them to the reader.
    with pytest.raises(ClientError) as e:
        other.get_alias(FunctionName=partial, Name="live")
    assert e.value.response["Error"]["Code"] == "AccessDeniedException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    for sid, action in (("get", "lambda:GetAlias"), ("list", "lambda:ListAliases")):
        owner.add_permission(FunctionName=name, StatementId=sid, Action=action, Principal="444444444444")
    assert other.get_alias(FunctionName=partial, Name="live")["AliasArn"].startswith("arn:aws:lambda:us-east-1:333333333333:")
    assert [a["Name"] for a in other.list_aliases(FunctionName=partial)["Aliases"]] == ["live"]
    with pytest.raises(ClientError) as e:
        other.update_alias(FunctionName=partial, Name="live", Description="x")
    assert e.value.response["Error"]["Code"] == "AccessDeniedException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError) as e:
        other.create_alias(FunctionName=partial, Name="mine", FunctionVersion="$LATEST")
    assert e.value.response["Error"]["Code"] == "AccessDeniedException"


def test_routing_violations_quote_the_whole_map(lam, raw_lam):
    name = with_versions(lam, 2)
    with pytest.raises(ClientError) as e:
        lam.create_alias(
            FunctionName=name,
            Name="live",
            FunctionVersion="1",
            RoutingConfig={"AdditionalVersionWeights": {"2": 0.5, "3": 1.5}},
        )
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert message(e) == (
        "1 validation error detected: Value '{2=0.5, 3=1.5}' at 'routingConfig.additionalVersionWeights' failed to "
        "satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, "
        "Member must have value greater than or equal to 0.0, Member must not be null]"
    )
    # The same map through UpdateAlias, once the alias exists.
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    with pytest.raises(ClientError) as e:
        # botocore itself refuses a negative weight, so the unvalidated client sends it.
        raw_lam.update_alias(FunctionName=name, Name="live", RoutingConfig={"AdditionalVersionWeights": {"2": -0.5}})
    assert message(e).startswith("1 validation error detected: Value '{2=-0.5}' at 'routingConfig.additionalVersionWeights'")
    assert "RoutingConfig" not in lam.get_alias(FunctionName=name, Name="live")
