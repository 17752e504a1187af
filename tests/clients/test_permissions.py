"""AddPermission, GetPolicy and RemovePermission through boto3 and the aws cli."""

import json

import pytest

from conftest import create_function, unique

SEED_S3 = (
    '{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction",'
    '"Resource":"arn:aws:lambda:us-east-2:123456789012:function:my-function","Condition":{"StringEquals":'
    '{"AWS:SourceAccount":"123456789012"},"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::my-bucket-1xpuxmplzrlbh"}}}'
)
SEED_XACCOUNT = (
    '{"Sid":"xaccount","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::223456789012:root"},'
    '"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-2:123456789012:function:my-function"}'
)


def test_seed_examples_boto3(server):
    lam = server.client(access_key="123456789012", region="us-east-2")
    try:
        lam.delete_function(FunctionName="my-function")
    except lam.exceptions.ResourceNotFoundException:
        pass
    except Exception:
        pass
    create_function(lam, "my-function")
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
    policy = lam.get_policy(FunctionName="my-function")
    assert json.loads(policy["Policy"]) == {
        "Version": "2012-10-17",
        "Id": "default",
        "Statement": [json.loads(SEED_S3), json.loads(SEED_XACCOUNT)],
    }


def test_duplicate_sid_raises_modeled_conflict(lam):
    name = unique()
    create_function(lam, name)
    lam.add_permission(FunctionName=name, StatementId="a", Action="lambda:InvokeFunction", Principal="*")
    with pytest.raises(lam.exceptions.ResourceConflictException) as e:
        lam.add_permission(FunctionName=name, StatementId="a", Action="lambda:InvokeFunction", Principal="*")
    assert e.value.response["Error"]["Message"] == (
        "The statement id (a) provided already exists. Please provide a new statement id, or remove the existing statement."
    )
    assert e.value.response["Type"] == "User"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_cli_add_get_remove(server, lam):
    name = unique()
    create_function(lam, name)
    rc, out, err = server.cli(
        "add-permission", "--function-name", name, "--statement-id", "cli",
        "--action", "lambda:InvokeFunction", "--principal", "sns.amazonaws.com",
    )
    assert rc == 0, err
    assert json.loads(out["Statement"])["Principal"] == {"Service": "sns.amazonaws.com"}
    rc, out, err = server.cli("get-policy", "--function-name", name)
    assert rc == 0, err
    assert [s["Sid"] for s in json.loads(out["Policy"])["Statement"]] == ["cli"]
    rc, out, err = server.cli("remove-permission", "--function-name", name, "--statement-id", "cli")
    assert rc == 0, err
    rc, out, err = server.cli("get-policy", "--function-name", name)
    assert rc != 0
    assert "ResourceNotFoundException" in err
    assert "The resource you requested does not exist." in err
