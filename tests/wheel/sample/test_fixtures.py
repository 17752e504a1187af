"""The plugin's fixtures: a running server on a free loopback port, a reset before every test."""

import os
import urllib.request

import pytest
from conftest import create_function

pytestmark = pytest.mark.usefixtures("record")


def test_the_server_is_up_on_loopback(lambdalite_server):
    assert lambdalite_server.url.startswith("http://127.0.0.1:")
    assert lambdalite_server.port != 4566  # a free port was picked, not the default
    os.kill(lambdalite_server.pid, 0)  # the process exists
    with urllib.request.urlopen(lambdalite_server.url + "/_lambdalite/health") as r:
        assert r.status == 200
    assert lambdalite_server.health()["status"] == "ok"


@pytest.mark.parametrize("attempt", [1, 2])
def test_every_test_starts_from_an_empty_server(lambdalite_client, attempt):
    # Both runs create the same name: the second would get ResourceConflictException without the reset.
    assert lambdalite_client.list_functions()["Functions"] == []
    create_function(lambdalite_client, "same-name")
    assert [f["FunctionName"] for f in lambdalite_client.list_functions()["Functions"]] == ["same-name"]


def test_the_state_export_sees_what_was_made(lambdalite, lambdalite_client):
    create_function(lambdalite_client, "exported")
    [namespace] = lambdalite.state()["Namespaces"]
    assert (namespace["Account"], [f["FunctionName"] for f in namespace["Functions"]]) == ("000000000000", ["exported"])
