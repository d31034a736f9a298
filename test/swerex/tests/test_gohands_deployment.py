"""gohands' own check (not from SWE-ReX): a short SWE-agent-style session through
swerex.deployment.remote.RemoteDeployment against our swerex-remote."""

import pytest

from swerex.deployment.remote import RemoteDeployment
from swerex.exceptions import CommandTimeoutError, NonZeroExitCodeError
from swerex.runtime.abstract import (
    BashAction,
    BashInterruptAction,
    CloseBashSessionRequest,
    CreateBashSessionRequest,
    ReadFileRequest,
)

from .conftest import TEST_API_KEY


async def test_swe_agent_style_session(remote_server, tmp_path):
    d = RemoteDeployment(host="http://127.0.0.1", port=remote_server.port, auth_token=TEST_API_KEY)
    await d.start()
    assert await d.is_alive()
    rt = d.runtime
    await rt.create_session(CreateBashSessionRequest(session="agent", startup_timeout=5))
    r = await rt.run_in_session(BashAction(session="agent", command=f"cd {tmp_path} && pwd", timeout=10))
    assert r.output == f"{tmp_path}\n" and r.exit_code == 0

    edit = "cat > app.py <<'EOF'\ndef add(a, b):\n    return a + b\n\nprint(add(2, 3))\nEOF"
    r = await rt.run_in_session(BashAction(session="agent", command=edit, timeout=10))
    assert r.exit_code == 0
    assert (await rt.read_file(ReadFileRequest(path=str(tmp_path / "app.py")))).content.startswith("def add(a, b):\n")
    r = await rt.run_in_session(BashAction(session="agent", command="python3 app.py", timeout=10))
    assert r.output == "5\n"

    with pytest.raises(NonZeroExitCodeError) as e:
        await rt.run_in_session(BashAction(session="agent", command="ls does-not-exist", check="raise", timeout=10))
    assert "exit code 2" in str(e.value)

    with pytest.raises(CommandTimeoutError):
        await rt.run_in_session(BashAction(session="agent", command="sleep 30", timeout=0.5))
    r = await rt.run_in_session(BashInterruptAction(session="agent"))
    assert r.exit_code == 0
    r = await rt.run_in_session(BashAction(session="agent", command="echo still-here; pwd", timeout=10))
    assert r.output == f"still-here\n{tmp_path}\n"

    await rt.close_session(CloseBashSessionRequest(session="agent"))
    await d.stop()
