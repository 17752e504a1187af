"""With an --init file (and extra server flags from the ini file), every test starts from the file's resources."""

import pytest


@pytest.mark.parametrize("attempt", [1, 2])
def test_each_test_starts_from_the_init_file(lambdalite_client, attempt):
    # --account-id from lambdalite_args: the default account owns what the file made.
    seeded = lambdalite_client.get_function(FunctionName="seeded")["Configuration"]
    assert seeded["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:seeded"
    assert '"Sid":"s3"' in lambdalite_client.get_policy(FunctionName="seeded")["Policy"]
    # Changes made by one test are gone in the next: the second run would find "extra" and the deleted function.
    names = sorted(f["FunctionName"] for f in lambdalite_client.list_functions()["Functions"])
    assert names == ["seeded"]
    lambdalite_client.create_function(FunctionName="extra", Runtime="python3.12", Role="arn:aws:iam::123456789012:role/r",
                                      Handler="index.handler", Code={"ZipFile": b"PK\5\6" + bytes(18)})
    lambdalite_client.remove_permission(FunctionName="seeded", StatementId="s3")
