"""The lambdalite pytest plugin (entry point `pytest11`: installing the wheel registers it).

Fixtures:
    lambdalite_server     session: one server per session (per xdist worker), on a free loopback port; stopped by
                          PID at the end
    lambdalite            function: the same server, its state reset before the test (unless keep-state)
    lambdalite_client     function: a boto3 Lambda client of the default account, after the reset
    lambdalite_client_for function: `lambdalite_client_for("111122223333")` is a client of that account

Configuration: command-line flags, or the same names as ini options (`lambdalite_port = 4566` in pytest.ini,
`[tool.pytest.ini_options]`, tox.ini or setup.cfg); a flag wins over the ini option.
    --lambdalite-binary PATH     the executable (default: the wheel's, then PATH; also $LAMBDALITE_BINARY)
    --lambdalite-port N          0 (default) picks a free port; a fixed port N gives xdist worker gwK port N+K
    --lambdalite-init FILE       an --init file of resources (ini: relative to the ini file); every test starts
                                 from it
    --lambdalite-args "FLAGS"    more server flags, shell-quoted: --lambdalite-args="--settle-delay-ms 50"
    --lambdalite-keep-state      no reset between tests: state accumulates over the session
    --lambdalite-start-timeout S seconds to wait for the server to be ready (default 10)
"""

import os
import shlex

import pytest

from lambdalite.server import LambdaliteError, Server

OPTIONS = {
    # name: (help, ini type, default)
    "binary": ("the lambdalite executable (default: the wheel's, then PATH)", "string", ""),
    "port": ("port for the server; 0 picks a free one (xdist worker gwK gets port+K for a fixed port)", "string", "0"),
    "init": ("an --init file (JSON or YAML) that every test starts from", "string", ""),
    "args": ("more server flags, shell-quoted", "string", ""),
    "keep_state": ("do not reset the server's state between tests", "bool", False),
    "start_timeout": ("seconds to wait for the server to start", "string", "10"),
}


def pytest_addoption(parser):
    group = parser.getgroup("lambdalite", "lambdalite (local AWS Lambda permission APIs)")
    for name, (help_text, ini_type, default) in OPTIONS.items():
        flag = "--lambdalite-" + name.replace("_", "-")
        if ini_type == "bool":
            group.addoption(flag, action="store_true", default=None, dest="lambdalite_" + name, help=help_text)
        else:
            group.addoption(flag, action="store", default=None, dest="lambdalite_" + name, help=help_text)
        parser.addini("lambdalite_" + name, help_text, type=ini_type, default=default)


def _option(config, name):
    value = config.getoption("lambdalite_" + name)
    return value if value is not None else config.getini("lambdalite_" + name)


def _settings(config):
    """The server's settings from flags and ini options; a bad value fails the session's setup with its name."""
    try:
        port = int(_option(config, "port"))
        timeout = float(_option(config, "start_timeout"))
    except ValueError as e:
        raise pytest.UsageError(f"lambdalite: {e}") from e
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if port and worker.startswith("gw") and worker[2:].isdigit():
        port += int(worker[2:])
    init = _option(config, "init") or None
    if init and not os.path.isabs(init):
        # From the command line: relative to where pytest runs; from an ini file: relative to that file.
        base = config.invocation_params.dir if config.getoption("lambdalite_init") else (
            config.inipath.parent if config.inipath else config.rootpath)
        init = os.path.join(str(base), init)
    return {
        "binary": _option(config, "binary") or None,
        "port": port,
        "init": init,
        "args": shlex.split(_option(config, "args") or ""),
        "start_timeout": timeout,
    }


@pytest.fixture(scope="session")
def lambdalite_server(request, tmp_path_factory):
    """The session's lambdalite server (one per xdist worker): `.url`, `.port`, `.pid`, `.client(account)`,
    `.reset()`, `.state()`, `.environ(account)`."""
    settings = _settings(request.config)
    log_path = tmp_path_factory.mktemp("lambdalite") / "server.log"
    try:
        server = Server(log_path=str(log_path), **settings).start()
    except LambdaliteError as e:
        failure = str(e)
    else:
        failure = None
    if failure:
        # Outside the except block, so the report is the message alone. pytest keeps a session fixture's failure:
        # every test that asks for it reports this one, and nothing tries to start the server again.
        pytest.fail(failure, pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def lambdalite(lambdalite_server, request):
    """The server, with its state reset first (back to the --init file's resources when there is one), unless
    keep-state is set."""
    if not _option(request.config, "keep_state"):
        try:
            lambdalite_server.reset_to_init()
        except LambdaliteError as e:
            pytest.fail(f"lambdalite: the reset before this test failed: {e}", pytrace=False)
    return lambdalite_server


@pytest.fixture
def lambdalite_client(lambdalite):
    """A boto3 Lambda client of the server's default account."""
    return lambdalite.client()


@pytest.fixture
def lambdalite_client_for(lambdalite):
    """`lambdalite_client_for("111122223333", region=None)`: a boto3 Lambda client of that account (the 12-digit
    access key is the account), for cross-account tests."""

    def client_for(account, region=None, **config):
        return lambdalite.client(account, region=region, **config)

    return client_for

