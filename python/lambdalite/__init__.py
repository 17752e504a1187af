"""lambdalite for Python: the `lambdalite` executable this wheel installs, a small process wrapper, and a pytest
plugin (registered through the `pytest11` entry point, so installing the wheel is enough).

    from lambdalite import Server
    with Server() as server:                 # a free loopback port, stopped by PID at the end
        lam = server.client()                # a boto3 Lambda client for the default account
        other = server.client("111122223333")  # another account: the 12-digit access key is the account id
"""

from lambdalite.server import LambdaliteError, Server, binary_path

__all__ = ["LambdaliteError", "Server", "binary_path"]
