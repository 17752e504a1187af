"""--state-dir through boto3 and the aws cli: what one server wrote, the next one on the same directory (given by
LAMBDALITE_STATE_DIR, as compose passes it) serves unchanged, RevisionIds included; SIGKILL loses nothing answered."""

from conftest import Server, create_function, make_zip


def test_boto3_and_cli_see_the_same_state_after_a_restart(tmp_path):
    env = {"LAMBDALITE_STATE_DIR": str(tmp_path / "state")}
    first = Server(env=env)
    try:
        lam = first.client()
        create_function(lam, "kept", Environment={"Variables": {"STAGE": "test"}})
        lam.publish_version(FunctionName="kept")
        lam.create_alias(FunctionName="kept", Name="live", FunctionVersion="1")
        added = lam.add_permission(
            FunctionName="kept", Qualifier="live", StatementId="s3", Action="lambda:InvokeFunction",
            Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::bucket", SourceAccount="123456789012",
        )
        layer = lam.publish_layer_version(LayerName="shared", Content={"ZipFile": make_zip("layer")})
        lam.add_layer_version_permission(
            LayerName="shared", VersionNumber=1, StatementId="all", Action="lambda:GetLayerVersion", Principal="*",
        )
        policy = lam.get_policy(FunctionName="kept", Qualifier="live")
        layer_policy = lam.get_layer_version_policy(LayerName="shared", VersionNumber=1)
        config = lam.get_function_configuration(FunctionName="kept")
    finally:
        first.proc.kill()  # SIGKILL: no shutdown path runs
        first.proc.wait()

    second = Server(env=env)
    try:
        lam = second.client()
        again = lam.get_policy(FunctionName="kept", Qualifier="live")
        assert again["Policy"] == policy["Policy"]
        assert again["RevisionId"] == policy["RevisionId"]
        assert added["Statement"] in again["Policy"]
        assert lam.get_layer_version_policy(LayerName="shared", VersionNumber=1)["Policy"] == layer_policy["Policy"]
        now = lam.get_function_configuration(FunctionName="kept")
        for key in ("RevisionId", "CodeSha256", "LastModified", "Environment", "State"):
            assert now[key] == config[key], key
        code, out, err = second.cli("get-layer-version", "--layer-name", "shared", "--version-number", "1")
        assert code == 0, err
        assert out["Content"]["CodeSha256"] == layer["Content"]["CodeSha256"]
        code, out, err = second.cli("get-alias", "--function-name", "kept", "--name", "live")
        assert code == 0, err
        assert out["FunctionVersion"] == "1"
        # A new version continues the numbering.
        code, out, err = second.cli("publish-version", "--function-name", "kept", "--description", "two")
        assert code == 0, err
        assert out["Version"] == "1", "nothing changed since version 1, so PublishVersion returns it"
        lam.update_function_configuration(FunctionName="kept", Description="changed")
        assert lam.publish_version(FunctionName="kept")["Version"] == "2"
    finally:
        second.stop()
