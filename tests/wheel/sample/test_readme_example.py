def test_s3_may_invoke(lambdalite_client):
    lam = lambdalite_client  # a boto3 Lambda client; every test starts from an empty server
    lam.create_function(FunctionName="f", Runtime="python3.12", Role="arn:aws:iam::000000000000:role/r",
                        Handler="index.handler", Code={"ZipFile": b"PK\5\6" + bytes(18)})  # an empty zip
    lam.add_permission(FunctionName="f", StatementId="s3", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")
    assert "s3.amazonaws.com" in lam.get_policy(FunctionName="f")["Policy"]
