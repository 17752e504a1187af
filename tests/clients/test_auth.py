"""Strict authentication (--auth sigv4) through boto3, botocore's own signers and the aws cli.

The matrix: right secret, wrong secret, unknown access key, no signature at all, clock skewed both ways, presigned
URLs (right, wrong, expired), a body changed after signing, ARNs and `$` qualifiers in the path and query (the
double-encoding rules), the account taken from the credentials file, and the admin token.
"""

import datetime
import json
import os
import subprocess
import urllib.error
import urllib.request
from unittest import mock

import boto3
import botocore.auth
import pytest
from botocore import UNSIGNED
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from conftest import AWS_CLI, BIN, ROLE, Server, create_function, unique

ALICE = ("AKIAALICEEXAMPLE0001", "alice-secret/with+odd=chars")
BOB = ("222222222222", "bob-secret")
CAROL = ("AKIACAROLEXAMPLE0003", "carol-secret")
ADMIN_TOKEN = "admin-token-for-tests"

SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
    "Key and signing method. Consult the service documentation for details."
)
BAD_TOKEN = "The security token included in the request is invalid."

CREDENTIALS_FILE = f"""
[default]
region = us-east-1

[alice]
aws_access_key_id = {ALICE[0]}
aws_secret_access_key = {ALICE[1]}
account_id = 111111111111

[bob]
aws_access_key_id = {BOB[0]}
aws_secret_access_key = {BOB[1]}

[carol]
aws_access_key_id = {CAROL[0]}
aws_secret_access_key = {CAROL[1]}
principal_arn = arn:aws:iam::000000000000:user/carol
"""


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    path = tmp_path_factory.mktemp("auth") / "credentials"
    path.write_text(CREDENTIALS_FILE)
    s = Server("--auth", "sigv4", "--credentials", str(path), env={"LAMBDALITE_ADMIN_TOKEN": ADMIN_TOKEN})
    s.credentials_path = str(path)
    yield s
    s.stop()


def client(server, key, secret, region="us-east-1", **config):
    return boto3.client(
        "lambda",
        endpoint_url=server.url,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}, **config),
    )


def error_of(excinfo):
    err = excinfo.value.response
    return err["ResponseMetadata"]["HTTPStatusCode"], err["Error"]["Code"], err["Error"]["Message"]


def raw(url, method="GET", data=None, headers=None):
    """(status, headers, parsed JSON body) of a plain HTTP request, errors included."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
            return r.status, r.headers, json.loads(body) if body else None
    except urllib.error.HTTPError as e:
        body = e.read()
        return e.code, e.headers, json.loads(body) if body else None


def test_right_secret_works_and_the_account_comes_from_the_file(strict):
    alice = client(strict, *ALICE, region="us-west-2")
    name = unique()
    out = create_function(alice, name)
    assert out["FunctionArn"] == f"arn:aws:lambda:us-west-2:111111111111:function:{name}"
    got = alice.get_function(FunctionName=out["FunctionArn"], Qualifier="$LATEST")
    assert got["Configuration"]["FunctionName"] == name


def test_twelve_digit_key_without_account_id_is_the_account(strict):
    bob = client(strict, *BOB)
    out = create_function(bob)
    assert out["FunctionArn"].startswith("arn:aws:lambda:us-east-1:222222222222:function:")


def test_key_without_account_uses_the_default_account(strict):
    carol = client(strict, *CAROL)
    out = create_function(carol)
    assert out["FunctionArn"].startswith("arn:aws:lambda:us-east-1:000000000000:function:")


def test_wrong_secret_is_invalid_signature(strict):
    with pytest.raises(ClientError) as e:
        client(strict, ALICE[0], "not-the-secret").list_functions()
    assert error_of(e) == (403, "InvalidSignatureException", SIGNATURE_MISMATCH)


def test_unknown_key_is_unrecognized_client(strict):
    with pytest.raises(ClientError) as e:
        client(strict, "AKIANOBODYEXAMPLE999", "whatever").list_functions()
    assert error_of(e) == (403, "UnrecognizedClientException", BAD_TOKEN)


def test_unsigned_request_is_missing_authentication_token(strict):
    with pytest.raises(ClientError) as e:
        client(strict, *ALICE, signature_version=UNSIGNED).list_functions()
    assert error_of(e) == (403, "MissingAuthenticationTokenException", "Missing Authentication Token")
    status, headers, body = raw(strict.url + "/2015-03-31/functions")
    assert status == 403
    assert headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert body == {"message": "Missing Authentication Token"}
    assert headers["x-amzn-RequestId"]


def test_malformed_authorization_is_incomplete_signature(strict):
    status, headers, body = raw(strict.url + "/2015-03-31/functions", headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert status == 403
    assert headers["x-amzn-ErrorType"] == "IncompleteSignatureException"
    assert "Authorization header requires 'Credential' parameter." in body["message"]


@pytest.mark.parametrize("minutes", [-16, 16])
def test_clock_skew_outside_fifteen_minutes_is_refused(strict, minutes):
    skewed = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)
    alice = client(strict, *ALICE)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=skewed):
        with pytest.raises(ClientError) as e:
            alice.list_functions()
    status, code, message = error_of(e)
    assert (status, code) == (403, "InvalidSignatureException")
    signed = skewed.strftime("%Y%m%dT%H%M%SZ")
    if minutes < 0:
        assert message.startswith(f"Signature expired: {signed} is now earlier than ")
        assert message.endswith(" - 15 min.)")
    else:
        assert message.startswith(f"Signature not yet current: {signed} is still later than ")
        assert message.endswith(" + 15 min.)")


@pytest.mark.parametrize("minutes", [-14, 14])
def test_clock_skew_inside_fifteen_minutes_is_accepted(strict, minutes):
    skewed = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)
    alice = client(strict, *ALICE)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=skewed):
        assert "Functions" in alice.list_functions()


def test_special_characters_in_path_query_and_body(strict):
    """ARNs (`:` → %3A, double-encoded in the canonical URI), `$LATEST` in the query, and JSON with unicode."""
    alice = client(strict, *ALICE)
    name = unique()
    arn = create_function(alice, name, Description="ünïcødé & spaces")["FunctionArn"]
    out = alice.add_permission(
        FunctionName=arn,
        StatementId="sid-1",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::bucket name+plus",
    )
    assert json.loads(out["Statement"])["Sid"] == "sid-1"
    policy = alice.get_policy(FunctionName=f"{arn}:$LATEST")
    assert "sid-1" in policy["Policy"]
    alice.remove_permission(FunctionName=name, StatementId="sid-1", RevisionId=policy["RevisionId"])


def test_body_changed_after_signing_is_refused(strict):
    creds = Credentials(*ALICE)
    url = strict.url + "/2015-03-31/functions"
    body = json.dumps({"FunctionName": unique(), "Role": ROLE, "Code": {"ZipFile": "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="}})
    req = AWSRequest(method="POST", url=url, data=body, headers={"Content-Type": "application/json"})
    botocore.auth.SigV4Auth(creds, "lambda", "us-east-1").add_auth(req)
    headers = dict(req.headers.items())
    status, hdrs, out = raw(url, "POST", data=body.replace("fn-", "fx-").encode(), headers=headers)
    assert status == 403
    assert hdrs["x-amzn-ErrorType"] == "InvalidSignatureException"
    assert out == {"message": SIGNATURE_MISMATCH}


def presign(server, secret, name, expires=60):
    creds = Credentials(ALICE[0], secret)
    url = f"{server.url}/2015-03-31/functions/{name}/configuration?Qualifier=%24LATEST"
    req = AWSRequest(method="GET", url=url)
    botocore.auth.SigV4QueryAuth(creds, "lambda", "us-east-1", expires=expires).add_auth(req)
    return req.url


def test_presigned_url(strict):
    alice = client(strict, *ALICE)
    name = unique()
    create_function(alice, name)
    status, _, body = raw(presign(strict, ALICE[1], name))
    assert status == 200, body
    assert body["FunctionArn"] == f"arn:aws:lambda:us-east-1:111111111111:function:{name}:$LATEST"
    status, headers, body = raw(presign(strict, "wrong", name))
    assert (status, headers["x-amzn-ErrorType"]) == (403, "InvalidSignatureException")
    assert body == {"message": SIGNATURE_MISMATCH}
    past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=past):
        expired = presign(strict, ALICE[1], name, expires=60)
    status, headers, _ = raw(expired)
    assert (status, headers["x-amzn-ErrorType"]) == (403, "InvalidSignatureException")


def test_admin_endpoints_need_the_token(strict):
    status, headers, body = raw(strict.url + "/_lambdalite/health")
    assert (status, headers["x-amzn-ErrorType"]) == (403, "AccessDeniedException")
    status, _, _ = raw(strict.url + "/_lambdalite/health", headers={"Authorization": "Bearer wrong"})
    assert status == 403
    # A SigV4 signature is not an admin token.
    creds = Credentials(*ALICE)
    req = AWSRequest(method="GET", url=strict.url + "/_lambdalite/health")
    botocore.auth.SigV4Auth(creds, "lambda", "us-east-1").add_auth(req)
    status, _, _ = raw(req.url, headers=dict(req.headers.items()))
    assert status == 403
    status, _, body = raw(strict.url + "/_lambdalite/health", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert (status, body["status"]) == (200, "ok")
    status, _, body = raw(strict.url + "/_lambdalite/health", headers={"x-lambdalite-admin-token": ADMIN_TOKEN})
    assert status == 200


def run_cli(server, key, secret, *args):
    env = dict(
        os.environ,
        AWS_ACCESS_KEY_ID=key,
        AWS_SECRET_ACCESS_KEY=secret,
        AWS_DEFAULT_REGION="eu-west-1",
        AWS_MAX_ATTEMPTS="1",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    )
    env.pop("AWS_PROFILE", None)
    p = subprocess.run(
        [AWS_CLI, "lambda", *args, "--endpoint-url", server.url, "--output", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    return p.returncode, (json.loads(p.stdout) if p.stdout.strip() else None), p.stderr


def test_aws_cli_right_secret(strict):
    name = unique()
    create_function(client(strict, *BOB, region="eu-west-1"), name)
    rc, out, err = run_cli(strict, *BOB, "get-function-configuration", "--function-name", name)
    assert rc == 0, err
    assert out["FunctionArn"] == f"arn:aws:lambda:eu-west-1:222222222222:function:{name}"
    rc, out, err = run_cli(
        strict, *BOB, "add-permission", "--function-name", name, "--statement-id", "cli",
        "--action", "lambda:InvokeFunction", "--principal", "sns.amazonaws.com",
    )
    assert rc == 0, err
    assert json.loads(out["Statement"])["Principal"] == {"Service": "sns.amazonaws.com"}


def test_aws_cli_wrong_secret_and_unknown_key(strict):
    rc, _, err = run_cli(strict, BOB[0], "wrong-secret", "list-functions")
    assert rc == 255
    assert f"(InvalidSignatureException) when calling the ListFunctions operation: {SIGNATURE_MISMATCH}" in err
    rc, _, err = run_cli(strict, "AKIAUNKNOWNEXAMPLE00", "x", "list-functions")
    assert rc == 255
    assert f"(UnrecognizedClientException) when calling the ListFunctions operation: {BAD_TOKEN}" in err


def test_aws_cli_with_a_profile_from_the_same_credentials_file(strict):
    """The file the server reads is the file the cli reads: `--profile alice` just works."""
    env = dict(
        os.environ,
        AWS_SHARED_CREDENTIALS_FILE=strict.credentials_path,
        AWS_CONFIG_FILE="/dev/null",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_MAX_ATTEMPTS="1",
    )
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        env.pop(var, None)
    p = subprocess.run(
        [AWS_CLI, "lambda", "list-functions", "--profile", "alice", "--endpoint-url", strict.url, "--output", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert p.returncode == 0, p.stderr
    assert all(":111111111111:" in f["FunctionArn"] for f in json.loads(p.stdout)["Functions"])


def test_bad_credentials_file_refuses_to_start(tmp_path):
    path = tmp_path / "credentials"
    path.write_text("[x]\naws_access_key_id = AKIA\n")
    p = subprocess.run(
        [BIN, "--port", "0", "--auth", "sigv4", "--credentials", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert p.returncode != 0
    assert "no aws_secret_access_key" in p.stderr
    p = subprocess.run(
        [BIN, "--port", "0", "--auth", "sigv4"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert p.returncode != 0
    assert "--credentials" in p.stderr


def with_trailing_slash(lam):
    """Makes `lam` send ListFunctions as older models name it (`GET /2015-03-31/functions/`), signed that way."""
    def add_slash(request, **_):
        base, sep, query = request.url.partition("?")
        if base.endswith("/functions"):
            request.url = base + "/" + sep + query
    lam.meta.events.register("before-sign.lambda.ListFunctions", add_slash)
    return lam


def test_a_trailing_slash_is_signed_as_sent(strict):
    alice = with_trailing_slash(client(strict, *ALICE))
    seen = []
    alice.meta.events.register("before-send.lambda.ListFunctions", lambda request, **_: seen.append(request.url))
    name = unique()
    create_function(alice, name)
    names = [f["FunctionName"] for f in alice.list_functions()["Functions"]]
    assert seen and seen[-1].endswith("/2015-03-31/functions/"), seen
    assert name in names
    wrong = with_trailing_slash(client(strict, ALICE[0], "wrong-secret"))
    with pytest.raises(ClientError) as e:
        wrong.list_functions()
    assert error_of(e)[:2] == (403, "InvalidSignatureException")
