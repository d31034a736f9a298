"""Fixtures for SWE-ReX's own tests, run against gohands' `swerex-remote`.

This is swe-rex v1.4.0's tests/conftest.py with one change: the `remote_server` fixture
starts our built binary (path in $GOHANDS_BIN, run as `swerex-remote --auth-token testkey`,
with this interpreter's directory first on its PATH so that `python` exists in sessions) on a
free loopback port instead of running the Python server in a thread. Everything else
(RemoteServer, remote_runtime, runtime_with_default_session, _Action, _Command) is
unchanged, so the test files themselves are the upstream ones. The server gets a HOME of its
own, removed afterwards: the sessions' bash and python write their histories there, not into
the real home directory.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import pytest

from swerex.runtime.abstract import (
    BashAction,
    CloseBashSessionRequest,
    Command,
    CreateBashSessionRequest,
)
from swerex.runtime.remote import RemoteRuntime
from swerex.utils.free_port import find_free_port

TEST_API_KEY = "testkey"


@dataclass
class RemoteServer:
    port: int
    headers: dict[str, str] = field(default_factory=lambda: {"X-API-Key": TEST_API_KEY})


@pytest.fixture(scope="session")
def remote_server():
    binary = os.environ.get("GOHANDS_BIN")
    if not binary:
        pytest.fail("GOHANDS_BIN must name the built action-execution-server binary")
    port = find_free_port()
    # The tests run `python` in a session, as upstream's CI does inside its virtualenv: put
    # this interpreter's directory first on the server's PATH (Debian itself has no `python`).
    home = tempfile.mkdtemp(prefix="gohands-swerex-home-")
    env = dict(os.environ, HOME=home, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    proc = subprocess.Popen(
        [binary, "swerex-remote", "--host", "127.0.0.1", "--port", str(port), "--auth-token", TEST_API_KEY],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    # Wait for the port to accept connections (the binary opens it when it is ready).
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"swerex-remote exited: {proc.stderr.read().decode(errors='replace')}")
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail("Server did not start within the expected time")
            time.sleep(0.02)
    yield RemoteServer(port)
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
async def remote_runtime(remote_server: RemoteServer):
    """Async fixture for RemoteRuntime that properly handles cleanup."""
    r = RemoteRuntime(port=remote_server.port, auth_token=TEST_API_KEY)
    try:
        yield r
    finally:
        await r.close()


@pytest.fixture
async def runtime_with_default_session(remote_runtime: RemoteRuntime):
    """Async fixture that creates a default session and cleans it up properly."""
    await remote_runtime.create_session(CreateBashSessionRequest())
    try:
        yield remote_runtime
    finally:
        await remote_runtime.close_session(CloseBashSessionRequest())


class _Action(BashAction):
    timeout: float | None = 5


class _Command(Command):
    timeout: float | None = 5


# Upstream tests that cannot pass against swe-rex 1.4.0 as installed from PyPI today, with
# the reason (docs/compatibility.md lists them too). They are marked xfail(strict=True): if
# one starts passing, the run fails and this list must be revisited.
KNOWN_DIFFERENCES = {
    "test_unauthenticated_request": (
        "expects 403 for a request without X-API-Key; FastAPI >= 0.122 (what pip installs with "
        "swe-rex 1.4.0 today) answers 401 {'detail': 'Not authenticated'}, and so do we"
    ),
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        reason = KNOWN_DIFFERENCES.get(item.name)
        if reason:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
