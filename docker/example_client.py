"""The compose example's client: what a test in CI does against the lambdalite service, in a few lines of boto3.

Creates a function, grants S3 permission to invoke it, reads the policy back and checks the statement is there, then
reads a function that init.example.yaml created.
Exits 0 on success and non-zero (with the exception) otherwise, so `--exit-code-from client` reports it.
"""

import io
import json
import os
import zipfile

import boto3

ENDPOINT = os.environ.get("LAMBDALITE_ENDPOINT_URL", "http://lambdalite:4566")


def zipped(source):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", source)
    return buf.getvalue()


def main():
    # endpoint_url is passed explicitly: AWS_ENDPOINT_URL needs boto3 >= 1.28, older distribution packages ignore it.
    lam = boto3.client("lambda", endpoint_url=ENDPOINT)
    fn = lam.create_function(
        FunctionName="compose-example",
        Runtime="python3.12",
        Role="arn:aws:iam::123456789012:role/lambda-role",
        Handler="index.handler",
        Code={"ZipFile": zipped("def handler(event, context):\n    return 'ok'\n")},
    )
    print("created", fn["FunctionArn"])
    lam.add_permission(
        FunctionName="compose-example",
        StatementId="s3-invoke",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::example-bucket",
    )
    policy = json.loads(lam.get_policy(FunctionName="compose-example")["Policy"])
    sids = [s["Sid"] for s in policy["Statement"]]
    assert sids == ["s3-invoke"], sids
    assert policy["Statement"][0]["Resource"] == fn["FunctionArn"], policy
    print("policy", json.dumps(policy))
    # What the server was started with is there as well (init.example.yaml, unless LAMBDALITE_INIT was set empty).
    try:
        created = lam.get_function(FunctionName="orders-api")["Configuration"]
        print("from the init file", created["FunctionArn"], created["Version"])
    except lam.exceptions.ResourceNotFoundException:
        print("no init file")


if __name__ == "__main__":
    main()
