"""Two accounts (the 12-digit access key is the account): isolation, then a grant across them."""

import pytest
from botocore.exceptions import ClientError
from conftest import create_function

pytestmark = pytest.mark.usefixtures("record")

OWNER, CALLER = "111111111111", "222222222222"


def test_another_account_needs_a_grant(lambdalite_client_for):
    owner, caller = lambdalite_client_for(OWNER), lambdalite_client_for(CALLER)
    arn = create_function(owner, "orders", role=f"arn:aws:iam::{OWNER}:role/r")["FunctionArn"]
    assert arn == f"arn:aws:lambda:us-east-1:{OWNER}:function:orders"
    assert caller.list_functions()["Functions"] == []  # accounts are isolated

    with pytest.raises(ClientError) as denied:
        caller.invoke(FunctionName=arn, InvocationType="DryRun")
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert f"arn:aws:iam::{CALLER}:root is not authorized to perform: lambda:InvokeFunction" in str(denied.value)

    owner.add_permission(FunctionName="orders", StatementId="caller", Action="lambda:InvokeFunction",
                         Principal=CALLER)
    assert caller.invoke(FunctionName=arn, InvocationType="DryRun")["StatusCode"] == 204


def test_the_default_account_is_its_own(lambdalite_client, lambdalite_client_for):
    create_function(lambdalite_client, "mine")
    assert [f["FunctionName"] for f in lambdalite_client_for("000000000000").list_functions()["Functions"]] == ["mine"]
    assert lambdalite_client_for(OWNER).list_functions()["Functions"] == []
