#!/usr/bin/env python3
"""Drive the gohands action execution server with the REAL OpenHands client code.

Every action is built with the reference's own classes (openhands-ai 0.62.0), serialized by
its own `event_to_dict` inside the real `ActionExecutionClient.send_action_for_execution`,
sent over HTTP by the real client methods, and every response is parsed by the real
`observation_from_dict`. On top of the assertions taken from the reference's
tests/runtime/{test_bash,test_aci_edit,test_ipython,test_env_vars,test_setup,test_microagent}.py,
each observation is round-tripped (`event_to_dict(observation_from_dict(raw))`) and compared
with the raw JSON our server sent, so a missing, extra or mistyped key shows up even where the
Python parser would silently fill in a default.

Only the runtime plumbing is ours: `GoHandsRuntime` subclasses the real `ActionExecutionClient`
and supplies the server URL and a `connect()` that does what DockerRuntime.connect does once the
container is up (wait for /alive, then the real `setup_initial_env()`).

Each case gets a fresh server process and a fresh working directory (as the reference's
fixture gives each test a fresh runtime), in a mount namespace whose /root is a fresh dir, so
the connect flow's `git config --global` and ~/.bashrc edits never touch this machine's /root.

Usage: real_client_check.py --binary PATH [--jupyter] [-k SUBSTRING] [--network] [-v]
Not part of `make test`: scripts/compat-check.sh sets up the venv and runs it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from pathlib import Path

# The reference logs every request at INFO; keep our output readable.
os.environ.setdefault('LOG_LEVEL', 'WARNING')

from openhands.core.config import OpenHandsConfig  # noqa: E402
from openhands.core.config.mcp_config import MCPStdioServerConfig  # noqa: E402
from openhands.events.action import (  # noqa: E402
    AgentThinkAction,
    BrowseInteractiveAction,
    BrowseURLAction,
    CmdRunAction,
    FileEditAction,
    FileReadAction,
    FileWriteAction,
    IPythonRunCellAction,
    MessageAction,
)
from openhands.events.action.files import FileReadSource  # noqa: E402
from openhands.events.observation import (  # noqa: E402
    AgentThinkObservation,
    CmdOutputObservation,
    ErrorObservation,
    FileEditObservation,
    FileReadObservation,
    FileWriteObservation,
    IPythonRunCellObservation,
    NullObservation,
)
from openhands.events.serialization import (  # noqa: E402
    event_to_dict,
    observation_from_dict,
)
from openhands.runtime.impl.action_execution.action_execution_client import (  # noqa: E402
    ActionExecutionClient,
)
from openhands.runtime.plugins import (  # noqa: E402
    AgentSkillsRequirement,
    JupyterRequirement,
)
from openhands.runtime.utils.request import RequestHTTPError  # noqa: E402

# The reference test helper's suffix template (tests/runtime/test_bash.py get_timeout_suffix).
TIMEOUT_TEMPLATE = (
    "You may wait longer to see additional output by sending empty command '', "
    'send other commands to interact with the current process, send keys ("C-c", "C-z", "C-d") '
    'to interrupt/kill the previous command before sending your new command, or use the timeout '
    'parameter in execute_bash for future commands.'
)


def timeout_suffix(t: float) -> str:
    return f'[The command timed out after {t} seconds. {TIMEOUT_TEMPLATE}]'


class CaseFailure(AssertionError):
    pass


# ---------------------------------------------------------------------------------------------
# The runtime: the real ActionExecutionClient, pointed at our server
# ---------------------------------------------------------------------------------------------


class EventStreamStub:
    """maybe_run_setup_script adds its action to the event stream; we only record it."""

    def __init__(self) -> None:
        self.events: list = []

    def add_event(self, event, source) -> None:
        self.events.append((event, source))


class GoHandsRuntime(ActionExecutionClient):
    def __init__(self, config: OpenHandsConfig, url: str, plugins=None, env_vars=None):
        self._url = url
        self.exchanges: list[dict] = []
        self.shape_problems: list[str] = []
        super().__init__(
            config,
            None,  # event_stream: no subscriber, actions go through run_action only
            None,  # llm_registry: only used by the LLM editor, which is off
            sid='gohands-compat',
            plugins=plugins,
            env_vars=env_vars,
            headless_mode=True,
        )
        self.event_stream = EventStreamStub()

    @property
    def action_execution_server_url(self) -> str:
        return self._url

    async def connect(self) -> None:
        # DockerRuntime.connect after the container is up: wait_until_alive, setup_initial_env.
        self.check_if_alive()
        self.setup_initial_env()
        self._runtime_initialized = True

    def _send_action_server_request(self, method, url, **kwargs):
        rec = {'method': method, 'url': url, 'json': kwargs.get('json'), 'params': kwargs.get('params')}
        self.exchanges.append(rec)
        try:
            resp = super()._send_action_server_request(method, url, **kwargs)
        except RequestHTTPError as e:
            rec['status'] = e.response.status_code if e.response is not None else None
            rec['detail'] = e.detail
            raise
        rec['status'] = resp.status_code
        rec['text'] = resp.text
        return resp

    def send_action_for_execution(self, action):
        # The real method, then the round-trip shape check of what our server sent back. This
        # also covers the actions the runtime sends on its own (connect flow, setup.sh, ...).
        n = len(self.exchanges)
        obs = super().send_action_for_execution(action)
        ex = [x for x in self.exchanges[n:] if x['url'].endswith('/execute_action') and 'text' in x]
        if ex:
            raw = json.loads(ex[-1]['text'])
            for d in _shape_diffs(raw, obs, getattr(action, 'hidden', False)):
                self.shape_problems.append(f'{type(action).__name__} {json.dumps(ex[-1]["json"])[:400]}\n      -> {d}')
        return obs


# ---------------------------------------------------------------------------------------------
# Server process
# ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary: str, plugins: list[str], env: dict[str, str], jupyter_bin: str | None,
                 user: tuple[str, int] | None = None):
        self.tmp = Path(tempfile.mkdtemp(prefix='gohands-compat-'))
        self.user = user
        if user:
            self.tmp.chmod(0o755)  # the sandbox user must reach its working dir
        self.workdir = self.tmp / 'workspace'
        self.home = self.tmp / 'home'
        self.workdir.mkdir()
        self.home.mkdir()
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        # binary 'reference' runs the reference's own server from the installed package, so the
        # same cases can be checked against it (and recorded for --compare).
        cmd = [sys.executable, '-m', 'openhands.runtime.action_execution_server'] if binary == 'reference' else [binary]
        name, uid = user or ('root', 0)
        args = [*cmd, str(self.port), '--working-dir', str(self.workdir), '--username', name,
                '--user-id', str(uid), '--no-enable-browser']
        if plugins:
            args += ['--plugins', *plugins]
        penv = dict(os.environ)
        penv.pop('LOG_LEVEL', None)
        if jupyter_bin:
            penv['PATH'] = jupyter_bin + os.pathsep + penv.get('PATH', '')
        if binary == 'reference':
            # its jupyter plugin then runs `sys.executable -m jupyter kernelgateway` from here
            penv['LOCAL_RUNTIME_MODE'] = '1'
            penv['OPENHANDS_REPO_PATH'] = str(self.tmp)
        if user:
            # a user named neither openhands nor root gets bash through `su` only when named here
            penv['RUNTIME_USERNAME'] = name
        penv.update(env)
        self.log = open(self.tmp / 'server.log', 'wb')
        # Both servers run bash as root, and the reference's bash takes HOME from /etc/passwd; the
        # backend's connect flow runs `git config --global` and appends to ~/.bashrc. So each
        # server runs in its own mount namespace where /root is this case's fresh home dir
        # (with /root/.pyenv mounted back, for pyenv's python), and this machine's real /root is
        # never written.
        (self.home / '.pyenv').mkdir()
        isolate = ('[ -d /root/.pyenv ] && mount --rbind /root/.pyenv "$0/.pyenv"; '
                   'mount --rbind "$0" /root && exec "$@"')
        args = ['unshare', '-m', '--propagation', 'private', 'sh', '-c', isolate, str(self.home), *args]
        penv['HOME'] = '/root'
        # Its own process group: the reference's server leaves its kernel gateway running on
        # SIGTERM, so close() signals the whole group.
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=penv,
                                     start_new_session=True)
        deadline = time.time() + 120
        import httpx

        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f'server exited: {(self.tmp / "server.log").read_text()}')
            try:
                if httpx.get(self.url + '/alive', timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError('server did not become alive')

    def close(self) -> None:
        pgid = self.proc.pid  # start_new_session: the group is the server's own
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        time.sleep(0.2)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)  # whatever of the group outlived the server
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        if self.user:
            # the server has ended the user's shell and kernel; -f in case a straggler remains
            subprocess.run(['userdel', '-f', '-r', self.user[0]], capture_output=True)


# ---------------------------------------------------------------------------------------------
# Context given to each case
# ---------------------------------------------------------------------------------------------


def _shape_diffs(raw: dict, obs, hidden: bool) -> list[str]:
    """Compare our raw JSON with what the reference's own serializer makes of the parsed
    observation. Differences mean the wire shape is not the reference's."""
    want = event_to_dict(obs)
    want.pop('cause', None)
    got = json.loads(json.dumps(raw))
    if hidden and isinstance(got.get('extras'), dict):
        got['extras']['hidden'] = True  # the client injects this before parsing
    diffs = []
    if type(observation_from_dict(got)) is not type(obs):  # parsed again, as stored events are
        diffs.append('observation_from_dict gives a different class on a second parse')
    for k in sorted(set(want) | set(got)):
        if k not in got:
            diffs.append(f'top-level key {k!r} missing (reference serializes {want[k]!r:.200})')
        elif k not in want:
            diffs.append(f'top-level key {k!r} not produced by the reference ({got[k]!r:.200})')
        elif k == 'extras':
            we, ge = want[k], got[k]
            for ek in sorted(set(we) | set(ge)):
                if ek not in ge:
                    diffs.append(f'extras[{ek!r}] missing (reference default {we[ek]!r:.200})')
                elif ek not in we:
                    diffs.append(f'extras[{ek!r}] unknown to the reference')
                elif we[ek] != ge[ek] or type(we[ek]) is not type(ge[ek]):
                    diffs.append(f'extras[{ek!r}]: ours {ge[ek]!r:.300} != reference {we[ek]!r:.300}')
        elif want[k] != got[k]:
            diffs.append(f'{k}: ours {got[k]!r:.300} != reference {want[k]!r:.300}')
    return diffs


class Ctx:
    def __init__(self, rt: GoHandsRuntime, server: Server, opts):
        self.rt = rt
        self.server = server
        self.ws = str(server.workdir)
        self.user = server.user[0] if server.user else 'root'
        # root's home is the case's own dir mounted on /root (see Server); a sandbox user's is made
        # by the server's useradd
        self.home = f'/home/{self.user}' if server.user else '/root'
        self.opts = opts
        self.interp = None

    def last_exchange(self) -> str:
        for ex in reversed(self.rt.exchanges):
            return json.dumps(ex, indent=None)[:3000]
        return '(no request)'

    def run(self, action):
        """runtime.run_action as the reference tests call it, plus the round-trip shape check."""
        try:
            obs = self.rt.run_action(action)
        except Exception as e:
            raise CaseFailure(f'real client raised {type(e).__name__}: {e}\nlast exchange: {self.last_exchange()}') from e
        if self.opts.verbose:
            print(f'    {type(action).__name__} -> {type(obs).__name__}: {obs.content[:120]!r}')
        return obs

    def cmd(self, command, hard=None, is_input=False, **kw):
        a = CmdRunAction(command=command, is_input=is_input, **kw)
        if hard is not None:
            a.set_hard_timeout(hard)
        return self.run(a)

    def check(self, cond, what, obs=None):
        if not cond:
            extra = ''
            if obs is not None:
                extra = f'\n    observation: {type(obs).__name__} content={obs.content[:1500]!r}'
                if isinstance(obs, CmdOutputObservation):
                    extra += f'\n    metadata={obs.metadata.model_dump()!r}'
            raise CaseFailure(f'{what}{extra}\n    last exchange: {self.last_exchange()}')

    def run_ok(self, command, *, contains=(), hard=None, exit_code=0, **kw):
        obs = self.cmd(command, hard=hard, **kw)
        self.check(isinstance(obs, CmdOutputObservation), f'{command!r}: expected CmdOutputObservation', obs)
        if exit_code is not None:
            self.check(obs.exit_code == exit_code, f'{command!r}: exit_code {obs.exit_code} != {exit_code}', obs)
        for c in contains:
            self.check(c in obs.content, f'{command!r}: {c!r} not in content', obs)
        return obs

    def isinst(self, obs, cls, what=''):
        self.check(isinstance(obs, cls), f'{what}: expected {cls.__name__}, got {type(obs).__name__}', obs)

    def write(self, path, content):
        obs = self.run(FileWriteAction(content=content, path=path))
        self.isinst(obs, FileWriteObservation, f'write {path}')
        return obs

    def edit(self, **kw):
        obs = self.run(FileEditAction(**kw))
        self.isinst(obs, FileEditObservation, f'edit {kw.get("command")}')
        return obs


# ---------------------------------------------------------------------------------------------
# Case registry
# ---------------------------------------------------------------------------------------------

CASES: list[tuple[str, dict, object]] = []


def case(name=None, *, jupyter=False, env=None, sandbox_env=None, startup_env=None, network=False, api_key=None,
         user_only=False):
    def deco(fn):
        CASES.append((name or fn.__name__, dict(jupyter=jupyter, env=env or {}, sandbox_env=sandbox_env or {},
                                                 startup_env=startup_env or {}, network=network, api_key=api_key,
                                                 user_only=user_only), fn))
        return fn

    return deco


# ---------------------------------------------------------------------------------------------
# tests/runtime/test_bash.py
# ---------------------------------------------------------------------------------------------


@case()
def bash_server(c: Ctx):
    port = free_port()
    obs = c.cmd(f'python3 -u -m http.server {port}', hard=1)
    c.isinst(obs, CmdOutputObservation, 'http.server')
    c.check(obs.exit_code == -1, 'http.server exit -1', obs)
    c.check('Serving HTTP on' in obs.content, 'Serving HTTP on', obs)
    c.check(timeout_suffix(1.0) in obs.metadata.suffix, 'timeout suffix 1.0', obs)
    obs = c.cmd('C-c', hard=30, is_input=True)
    c.check(obs.exit_code == 0, 'C-c exit 0', obs)
    c.check('Keyboard interrupt received, exiting.' in obs.content, 'keyboard interrupt text', obs)
    c.check(c.ws in obs.metadata.working_dir, 'working_dir', obs)
    obs = c.cmd('ls', hard=3)
    c.check(obs.exit_code == 0 and 'Keyboard interrupt received, exiting.' not in obs.content, 'ls after C-c', obs)
    c.check(c.ws in obs.metadata.working_dir, 'working_dir', obs)
    obs = c.cmd(f'python3 -u -m http.server {port}', hard=1)
    c.check(obs.exit_code == -1 and 'Serving HTTP on' in obs.content, 'http.server again', obs)
    c.cmd('C-c', hard=30, is_input=True)


@case()
def bash_background_server(c: Ctx):
    port = free_port()
    c.run_ok(f'python3 -m http.server {port} &')
    # The reference sleeps 1 s; on a loaded 2-core machine python may take longer to listen.
    for _ in range(20):
        time.sleep(0.5)
        obs = c.cmd(f'curl -s http://localhost:{port}')
        if obs.exit_code != 7:  # 7: connection refused, not listening yet
            break
    c.run_ok(f'curl http://localhost:{port}', contains=['Directory listing for'])
    c.run_ok('pkill -f "http.server"')


@case()
def multiline_commands(c: Ctx):
    c.run_ok('echo \\\n -e "foo"', contains=['foo'])
    c.run_ok('echo -e "hello\nworld"', contains=['hello\nworld'])
    c.run_ok('echo -e "a\\n\\n\\nz"', contains=['\n\n\n'])


@case()
def complex_commands(c: Ctx):
    cmd = ('count=0; tries=0; while [ $count -lt 3 ]; do result=$(echo "Heads"); tries=$((tries+1)); '
           'echo "Flip $tries: $result"; if [ "$result" = "Heads" ]; then count=$((count+1)); else count=0; fi; '
           'done; echo "Got 3 heads in a row after $tries flips!";')
    c.run_ok(cmd, contains=['Got 3 heads in a row after 3 flips!'])


@case()
def no_ps2_in_output(c: Ctx):
    obs = c.run_ok('echo -e "hello\nworld"', contains=['hello\nworld'])
    c.check('>' not in obs.content, "'>' in content", obs)


@case()
def multiline_command_loop(c: Ctx):
    c.run_ok('mkdir -p _modules && for month in {01..04}; do\n    for day in {01..05}; do\n'
             '        touch "_modules/2024-${month}-${day}-sample.md"\n    done\ndone && echo "created files"\n',
             contains=['created files'])
    c.run_ok('for file in _modules/*.md; do\n'
             "    new_date=$(echo $file | sed -E 's/2024-(01|02|03|04)-/2024-/;s/2024-01/2024-08/;"
             "s/2024-02/2024-09/;s/2024-03/2024-10/;s/2024-04/2024-11/')\n"
             '    mv "$file" "$new_date"\ndone && echo "success"\n', contains=['success'])


@case()
def multiple_multiline_commands(c: Ctx):
    cmds = ['ls -l', 'echo -e "hello\nworld"', """echo -e "hello it's me\"""", "echo \\\n    -e 'hello' \\\n    world",
            "echo -e 'hello\\nworld\\nare\\nyou\\nthere?'", "echo -e 'hello\nworld\nare\nyou\n\nthere?'",
            "echo -e 'hello\nworld \"'"]
    obs = c.cmd('\n'.join(cmds))
    c.isinst(obs, ErrorObservation, 'joined commands')
    c.check('Cannot execute multiple commands at once' in obs.content, 'multiple commands text', obs)
    want = ['total 0', 'hello\nworld', "hello it's me", 'hello world', 'hello\nworld\nare\nyou\nthere?',
            'hello\nworld\nare\nyou\n\nthere?', 'hello\nworld "']
    for cmd, w in zip(cmds, want):
        c.run_ok(cmd, contains=[w])


@case()
def cmd_run(c: Ctx):
    c.run_ok(f'ls -l {c.ws}')
    c.run_ok('ls -l', contains=['total 0'])
    c.run_ok('mkdir test')
    c.run_ok('ls -l', contains=[c.user, 'test'])
    c.run_ok('touch test/foo.txt')
    c.run_ok('ls -l test', contains=['foo.txt'])
    c.run_ok('rm -rf test')


@case()
def run_as_user_correct_home_dir(c: Ctx):
    c.run_ok('cd ~ && pwd', contains=[c.home])


@case()
def multi_cmd_run_in_single_line(c: Ctx):
    c.run_ok('pwd && ls -l', contains=[c.ws, 'total 0'])


@case()
def stateful_cmd(c: Ctx):
    c.run_ok('mkdir -p test')
    c.run_ok('cd test')
    c.run_ok('pwd', contains=[c.ws + '/test'])


@case()
def failed_cmd(c: Ctx):
    obs = c.cmd('non_existing_command')
    c.check(obs.exit_code != 0, 'exit != 0', obs)


def _host_file(tmp: Path, name='test_file.txt', content='Hello, World!') -> Path:
    p = tmp / name
    p.write_text(content)
    return p


@case()
def copy_single_file(c: Ctx):
    with tempfile.TemporaryDirectory() as d:
        c.rt.copy_to(str(_host_file(Path(d))), c.ws)
    c.run_ok(f'ls -alh {c.ws}', contains=['test_file.txt'])
    c.run_ok(f'cat {c.ws}/test_file.txt', contains=['Hello, World!'])


def _host_dir(tmp: Path) -> Path:
    d = tmp / 'test_dir'
    d.mkdir()
    (d / 'file1.txt').write_text('File 1 content')
    (d / 'file2.txt').write_text('File 2 content')
    return d


@case()
def copy_directory_recursively(c: Ctx):
    with tempfile.TemporaryDirectory() as d:
        c.rt.copy_to(str(_host_dir(Path(d))), c.ws, recursive=True)
    obs = c.run_ok(f'ls -alh {c.ws}', contains=['test_dir'])
    c.check('file1.txt' not in obs.content and 'file2.txt' not in obs.content, 'files at top level', obs)
    c.run_ok(f'ls -alh {c.ws}/test_dir', contains=['file1.txt', 'file2.txt'])
    c.run_ok(f'cat {c.ws}/test_dir/file1.txt', contains=['File 1 content'])


@case()
def copy_to_non_existent_directory(c: Ctx):
    with tempfile.TemporaryDirectory() as d:
        c.rt.copy_to(str(_host_file(Path(d))), f'{c.ws}/new_dir')
    c.run_ok(f'cat {c.ws}/new_dir/test_file.txt', contains=['Hello, World!'])


@case()
def overwrite_existing_file(c: Ctx):
    obs = c.run_ok(f'ls -alh {c.ws}')
    c.check('test_file.txt' not in obs.content, 'no file yet', obs)
    c.run_ok(f'touch {c.ws}/test_file.txt')
    c.run_ok(f'ls -alh {c.ws}', contains=['test_file.txt'])
    obs = c.run_ok(f'cat {c.ws}/test_file.txt')
    c.check(obs.content.strip() == '' and 'Hello, World!' not in obs.content, 'empty file', obs)
    with tempfile.TemporaryDirectory() as d:
        c.rt.copy_to(str(_host_file(Path(d))), c.ws)
    c.run_ok(f'cat {c.ws}/test_file.txt', contains=['Hello, World!'])


@case()
def copy_non_existent_file(c: Ctx):
    try:
        c.rt.copy_to('/nonexistent/should_not_exist.txt', c.ws)
        c.check(False, 'copy_to of a missing host file did not raise')
    except FileNotFoundError:
        pass
    obs = c.cmd(f'ls {c.ws}/should_not_exist.txt')
    c.check(obs.exit_code != 0, 'file must not exist', obs)


@case()
def copy_from_directory(c: Ctx):
    with tempfile.TemporaryDirectory() as d:
        c.rt.copy_to(str(_host_dir(Path(d))), c.ws, recursive=True)
    path = c.rt.copy_from(f'{c.ws}/test_dir')
    c.check(isinstance(path, Path), 'copy_from returns a Path')
    with zipfile.ZipFile(path) as z:
        names = sorted(z.namelist())
        c.check(names == ['file1.txt', 'file2.txt'], f'zip entries {names}')
        c.check(z.read('file1.txt') == b'File 1 content', 'zip content')
    path.unlink()


@case()
def copy_zip_file_and_single_file_download(c: Ctx):
    # Any uploaded .zip is extracted (even with recursive=false); a single-file download.
    with tempfile.TemporaryDirectory() as d:
        z = Path(d) / 'bundle.zip'
        with zipfile.ZipFile(z, 'w') as zf:
            zf.writestr('inner/a.txt', 'A content')
        c.rt.copy_to(str(z), c.ws)
    c.run_ok(f'cat {c.ws}/inner/a.txt', contains=['A content'])
    obs = c.run_ok(f'ls {c.ws}')
    c.check('bundle.zip' not in obs.content, 'zip removed after extraction', obs)
    path = c.rt.copy_from(f'{c.ws}/inner/a.txt')
    with zipfile.ZipFile(path) as zf:
        names = sorted(zf.namelist())
    path.unlink()
    # copy_from streams outside _send_action_server_request: record the zip's entries for --compare
    # (the reference sends an empty zip for a single file).
    c.rt.exchanges.append({'method': 'GET', 'url': f'{c.rt.action_execution_server_url}/download_files',
                           'json': None, 'params': {'path': f'{c.ws}/inner/a.txt'}, 'status': 200,
                           'text': json.dumps(names)})


@case()
def special_keys_and_unicode(c: Ctx):
    obs = c.cmd('cat', hard=2)
    c.check(obs.exit_code == -1, 'cat waits', obs)
    obs = c.cmd('C-d', is_input=True, hard=10)
    c.check(obs.exit_code == 0 and 'CTRL+D was sent' in obs.metadata.suffix, 'C-d', obs)
    c.run_ok("echo 'héllo 世界 <a&b>'", contains=['héllo 世界 <a&b>'])
    c.write('u.txt', 'héllo 世界\n')
    obs = c.run(FileReadAction(path='u.txt'))
    c.check(obs.content == 'héllo 世界\n\n', 'unicode read', obs)
    (c.server.workdir / 'latin1.txt').write_bytes('caf\xe9\n'.encode('latin-1'))
    c.run(FileReadAction(path=f'{c.ws}/latin1.txt'))  # recorded for --compare


@case()
def git_operation(c: Ctx):
    c.run_ok('git init')
    c.run_ok('echo "hello" > test_file.txt')
    c.run_ok('git add test_file.txt')
    c.run_ok('git diff --no-color --cached', contains=['b/test_file.txt', '+hello'])
    # needs the identity setup_initial_env configured (git config --global)
    c.run_ok('git commit -m "test commit"')


@case()
def python_version(c: Ctx):
    c.run_ok('python3 --version', contains=['Python 3'])


@case()
def pwd_property(c: Ctx):
    c.run_ok('mkdir -p random_dir')
    c.run_ok('cd random_dir && pwd', contains=['random_dir'])


@case()
def basic_command(c: Ctx):
    c.run_ok("echo 'hello world'", contains=['hello world'])
    c.run_ok('nonexistent_command', exit_code=127, contains=['nonexistent_command: command not found'])
    c.run_ok("echo 'hello   world    with\nspecial  chars'", contains=['hello   world    with\nspecial  chars'])
    c.run_ok('echo "first" && echo "second" && echo "third"', contains=['first', 'second', 'third'])


@case(env={'NO_CHANGE_TIMEOUT_SECONDS': '1'})
def interactive_command(c: Ctx):
    obs = c.cmd('read -p "Enter name: " name && echo "Hello $name"')
    c.check('Enter name:' in obs.content, 'prompt', obs)
    c.check('[The command has no new output after 1 seconds.' in obs.metadata.suffix, 'no-change suffix', obs)
    obs = c.cmd('John', is_input=True)
    c.check('Hello John' in obs.content, 'Hello John', obs)
    c.check('[The command completed with exit code 0.]' in obs.metadata.suffix, 'completed suffix', obs)
    obs = c.cmd('cat << EOF\nline 1\nline 2\nEOF')
    c.check('line 1\nline 2' in obs.content and obs.exit_code == 0, 'heredoc', obs)
    c.check('[The command completed with exit code 0.]' in obs.metadata.suffix, 'completed suffix', obs)


@case()
def long_output(c: Ctx):
    c.run_ok('for i in $(seq 1 5000); do echo "Line $i"; done', hard=10, contains=['Line 1', 'Line 5000'])


@case()
def long_output_exceed_history_limit(c: Ctx):
    obs = c.run_ok('for i in $(seq 1 50000); do echo "Line $i"; done', hard=30,
                   contains=['Line 40000', 'Line 50000'])
    c.check('Previous command outputs are truncated' in obs.metadata.prefix, 'truncated prefix', obs)


@case()
def long_output_from_nested_directories(c: Ctx):
    c.run_ok('mkdir -p /tmp/gohands_compat_nested && cd /tmp/gohands_compat_nested && for i in $(seq 1 100); do '
             'mkdir -p "folder_$i"; for j in $(seq 1 100); do touch "folder_$i/file_$j.txt"; done; done', hard=60)
    c.run_ok('ls -R /tmp/gohands_compat_nested', hard=60,
             contains=['folder_1', 'file_1.txt', 'folder_100', 'file_100.txt'])
    c.run_ok('cd / && rm -rf /tmp/gohands_compat_nested', hard=60)


@case()
def command_backslash(c: Ctx):
    d = f'{c.ws}/bs_dir'
    c.run_ok(f'mkdir -p {d} && echo "implemented_function" > {d}/file_1.txt')
    c.run_ok(f'find {d} -type f -exec grep -l "implemented_function" {{}} \\;', contains=[f'{d}/file_1.txt'])


@case(env={'NO_CHANGE_TIMEOUT_SECONDS': '1'})
def stress_long_output_with_soft_and_hard_timeout(c: Ctx):
    for i in range(2):  # the reference does 10 iterations; 2 exercise the same paths
        c.run_ok("ps aux | awk '{printf \"%8.1f KB  %s\\n\", $6, $0}' | sort -nr | grep \"bash\" | grep -v grep "
                 "| awk '{print $1}'")
        obs = c.cmd('read -p "Do you want to continue? [Y/n] " answer; if [[ $answer == "Y" ]]; then '
                    'echo "Proceeding with operation..."; echo "Operation completed successfully!"; else '
                    'echo "Operation cancelled."; exit 1; fi')
        c.check('Do you want to continue?' in obs.content and obs.exit_code == -1, 'read prompt', obs)
        obs = c.cmd('Y', is_input=True)
        c.check('Proceeding with operation...' in obs.content and 'Operation completed successfully!' in obs.content,
                'Y answer', obs)
        c.check(obs.exit_code == 0 and '[The command completed with exit code 0.]' in obs.metadata.suffix,
                'Y completes', obs)
        obs = c.cmd(f'export i={i}; for j in $(seq 1 100); do echo "Line $j - Iteration $i - '
                    f'$(printf \'%1000s\' | tr " " "*")"; sleep 1; done', hard=2)
        c.check(obs.exit_code == -1 and f'Line 1 - Iteration {i}' in obs.content, 'loop times out', obs)
        obs = c.cmd('ls')
        c.check(obs.exit_code == -1 and 'The previous command is still running' in obs.metadata.suffix,
                'still running', obs)
        obs = c.cmd('C-c', is_input=True)
        c.check(obs.exit_code == 130, 'C-c exit 130', obs)
        c.run_ok('ls')


@case()
def command_output_continuation(c: Ctx):
    obs = c.cmd('for i in {1..5}; do echo $i; sleep 3; done', hard=2.5)
    c.check(obs.content.strip() == '1', "content '1'", obs)
    c.check(obs.metadata.prefix == '', 'empty prefix', obs)
    c.check('[The command timed out after 2.5 seconds.' in obs.metadata.suffix, 'suffix 2.5', obs)
    for want in ('2', '3', '4', '5'):
        obs = c.cmd('', hard=2.5)
        c.check('[Below is the output of the previous command.]' in obs.metadata.prefix, 'continuation prefix', obs)
        c.check(obs.content.strip() == want, f'content {want!r}', obs)
        c.check('[The command timed out after 2.5 seconds.' in obs.metadata.suffix, 'suffix 2.5', obs)
    obs = c.cmd('')
    c.check('[The command completed with exit code 0.]' in obs.metadata.suffix, 'completed', obs)


@case()
def long_running_command_follow_by_execute(c: Ctx):
    obs = c.cmd('for i in {1..3}; do echo $i; sleep 3; done', hard=2.5)
    c.check('1' in obs.content and obs.metadata.exit_code == -1 and obs.metadata.prefix == '', 'first', obs)
    c.check(timeout_suffix(2.5) in obs.metadata.suffix, 'suffix', obs)
    obs = c.cmd('', hard=2.5)
    c.check('2' in obs.content and obs.metadata.prefix == '[Below is the output of the previous command.]\n',
            'second', obs)
    c.check(timeout_suffix(2.5) in obs.metadata.suffix and obs.metadata.exit_code == -1, 'second suffix', obs)
    obs = c.cmd('sleep 15', hard=2.5)
    c.check('3' not in obs.content and obs.metadata.prefix == '[Below is the output of the previous command.]\n',
            'third', obs)
    c.check('The previous command is still running' in obs.metadata.suffix and obs.metadata.exit_code == -1,
            'still running', obs)
    obs = c.cmd('')
    c.check('3' in obs.content and '[The command completed with exit code 0.]' in obs.metadata.suffix, 'fourth', obs)


@case()
def empty_command_errors(c: Ctx):
    obs = c.cmd('')
    c.isinst(obs, CmdOutputObservation, 'empty command')
    c.check(obs.content == 'ERROR: No previous running command to retrieve logs from.', 'no previous command', obs)
    c.check(obs.metadata.prefix == '' and obs.metadata.suffix == '' and obs.exit_code == -1, 'metadata', obs)


PY_INPUT = ('python3 -c "name = input(\'Enter your name: \'); age = input(\'Enter your age: \'); '
            'print(f\'Hello {name}, you are {age} years old\')"')


@case()
def python_interactive_input(c: Ctx):
    obs = c.cmd(PY_INPUT)
    c.check('Enter your name:' in obs.content and obs.metadata.exit_code == -1, 'name prompt', obs)
    obs = c.cmd('Alice', is_input=True)
    c.check('Enter your age:' in obs.content and obs.metadata.exit_code == -1, 'age prompt', obs)
    obs = c.cmd('25', is_input=True)
    c.check('Hello Alice, you are 25 years old' in obs.content and obs.exit_code == 0, 'answer', obs)
    c.check('[The command completed with exit code 0.]' in obs.metadata.suffix, 'completed', obs)


@case()
def python_interactive_input_without_set_input(c: Ctx):
    obs = c.cmd(PY_INPUT)
    c.check('Enter your name:' in obs.content and obs.metadata.exit_code == -1, 'name prompt', obs)
    obs = c.cmd('Alice', is_input=False)
    c.check('Enter your age:' not in obs.content, 'not executed', obs)
    c.check('Your command "Alice" is NOT executed. The previous command is still running' in obs.metadata.suffix,
            'NOT executed suffix', obs)
    c.check(obs.metadata.exit_code == -1, 'exit -1', obs)
    obs = c.cmd('Alice', is_input=True)
    c.check('Enter your age:' in obs.content and obs.metadata.exit_code == -1, 'age prompt', obs)
    obs = c.cmd('25', is_input=True)
    c.check('Hello Alice, you are 25 years old' in obs.content and obs.exit_code == 0, 'answer', obs)
    c.check('[The command completed with exit code 0.]' in obs.metadata.suffix, 'completed', obs)


@case()
def bash_remove_prefix(c: Ctx):
    c.run_ok('git init && git remote add origin https://github.com/OpenHands/OpenHands')
    obs = c.run_ok('git remote -v', contains=['https://github.com/OpenHands/OpenHands'])
    c.check('git remote -v' not in obs.content, 'echoed command', obs)


# ---------------------------------------------------------------------------------------------
# Backend flows beyond test_bash.py (§2.10): hidden / static / blocking commands, setup.sh,
# microagents, browse with the browser off, client-local actions, MCP update
# ---------------------------------------------------------------------------------------------


@case()
def hidden_static_and_blocking_commands(c: Ctx):
    sub = f'{c.ws}/sub'
    c.run_ok(f'mkdir -p {sub}')
    obs = c.cmd('pwd', is_static=True, hidden=True, cwd=sub)
    c.isinst(obs, CmdOutputObservation, 'static')
    c.check(obs.hidden is True and obs.content.strip() == sub and obs.exit_code == 0, 'static cwd', obs)
    c.run_ok('pwd', contains=[c.ws])  # main session untouched
    obs = c.cmd('echo blocking; sleep 1; echo done', hard=600, hidden=True)
    c.check(obs.hidden and obs.exit_code == 0 and 'blocking\ndone' in obs.content, 'blocking hidden', obs)
    # non-blocking hard timeout (the client's default path sets blocking=False)
    a = CmdRunAction('echo soft')
    a.set_hard_timeout(5, blocking=False)
    obs = c.run(a)
    c.check(obs.exit_code == 0 and obs.content == 'soft', 'soft timeout', obs)
    # the client refuses a blocking command without timeout, locally
    try:
        c.rt.run_action(CmdRunAction('echo x', blocking=True))
        c.check(False, 'blocking without timeout must raise client-side')
    except RuntimeError:
        pass


@case(env={'NO_CHANGE_TIMEOUT_SECONDS': '1'})
def setup_script(c: Ctx):
    c.write('.openhands/setup.sh', "#!/bin/bash\nsleep 3\necho 'Hello World' > README.md\n")
    c.rt.maybe_run_setup_script()
    c.check(len(c.rt.event_stream.events) == 1, 'setup action added to the stream')
    obs = c.run(FileReadAction('README.md'))
    c.isinst(obs, FileReadObservation, 'README.md')
    c.check(obs.content == 'Hello World\n', 'README content', obs)


@case()
def git_hooks(c: Ctx):
    c.run_ok('git init -q')
    c.write('.openhands/pre-commit.sh', '#!/bin/bash\necho pre-commit ran\nexit 0\n')
    c.rt.maybe_setup_git_hooks()
    obs = c.run(FileReadAction('.git/hooks/pre-commit'))
    c.isinst(obs, FileReadObservation, 'hook')
    c.check('This hook was installed by OpenHands' in obs.content, 'hook text', obs)
    c.run_ok('test -x .git/hooks/pre-commit')


@case()
def microagents(c: Ctx):
    md = ('---\nname: compat_knowledge\ntype: knowledge\ntriggers:\n- compatword\n---\n'
          'Knowledge from the workspace.\n')
    c.write(f'{c.ws}/.openhands/microagents/compat.md', md)
    c.write(f'{c.ws}/.openhands_instructions', 'Legacy instructions here.\n')
    c.check(c.rt.list_files(f'{c.ws}/.openhands/microagents') == ['compat.md'], 'list_files')
    agents = c.rt.get_microagents_from_selected_repo(None)
    names = sorted(a.name for a in agents)
    # 0.62 names a microagent after its file (the front matter's name is ignored)
    c.check('compat' in names and 'repo_legacy' in names, f'microagents loaded: {names}')
    c.check(any('Legacy instructions here.' in a.content for a in agents), 'legacy instructions loaded')


@case()
def list_files(c: Ctx):
    c.run_ok('mkdir -p Bdir adir .hid && touch b.txt A.txt .hidden')
    got = c.rt.list_files()
    c.check(got == ['.hid/', 'adir/', 'Bdir/', '.hidden', 'A.txt', 'b.txt'], f'list_files() = {got}')
    c.check(c.rt.list_files('adir') == [], 'empty dir')
    c.check(c.rt.list_files('/nonexistent/dir') == [], 'missing dir')
    c.check(c.rt.list_files(f'{c.ws}/b.txt') == [], 'file')


@case()
def edge_cases(c: Ctx):
    # a hidden command's output is not truncated (the client does not truncate hidden ones either)
    obs = c.cmd('seq 1 20000', hidden=True)
    c.check(obs.hidden and len(obs.content) > 30000 and 'Observation truncated' not in obs.content
            and obs.content.endswith('\n20000'), 'hidden output kept whole', obs)
    obs = c.run_ok('seq 1 20000')
    c.check('\n[... Observation truncated due to length ...]\n' in obs.content and len(obs.content) < 30100,
            'visible output truncated in the middle', obs)
    # is_input with nothing running
    obs = c.cmd('hello', is_input=True)
    c.check(obs.content == 'ERROR: No previous running command to interact with.', 'no process for input', obs)
    # insert_line that is not an integer
    c.write(f'{c.ws}/t.txt', 'a\nb')
    obs = c.edit(command='insert', path=f'{c.ws}/t.txt', insert_line='abc', new_str='x')
    c.check(obs.content == "ERROR:\nInvalid insert_line value: 'abc'. Expected an integer.", 'insert_line str', obs)
    # unknown editor command, relative path
    obs = c.edit(command='frobnicate', path=f'{c.ws}/t.txt')
    c.check(obs.content.startswith('ERROR:\n'), 'unknown command', obs)
    obs = c.edit(command='view', path='t.txt')
    c.check(obs.content.startswith('ERROR:\n') and 'absolute path' in obs.content, 'relative path', obs)
    # oh_aci read: a directory, a bad view_range
    obs = c.run(FileReadAction(path=c.ws, impl_source=FileReadSource.OH_ACI))
    c.isinst(obs, FileReadObservation, 'oh_aci dir read')
    obs = c.run(FileReadAction(path=f'{c.ws}/t.txt', impl_source=FileReadSource.OH_ACI, view_range=[5, 1]))
    c.check(obs.content.startswith('ERROR:\n'), 'bad view_range', obs)
    # read with start beyond the end
    obs = c.run(FileReadAction(path='t.txt', start=10))
    c.isinst(obs, FileReadObservation, 'start beyond end')
    # write into a new nested directory, then a partial overwrite with start/end
    c.write('new/dir/f.txt', '1\n2\n3')
    c.write('new/dir/f.txt', 'two', )
    obs = c.run(FileWriteAction(path='new/dir/f.txt', content='B', start=1, end=2))
    c.isinst(obs, FileWriteObservation, 'partial write')
    c.run_ok('cat new/dir/f.txt')


@case()
def long_command_line(c: Ctx):
    # A deliberate difference (docs/compatibility.md, Bash session): the reference's 1000-column
    # pane wraps the typed 5000-byte line, the echo strip fails and the output is lost (content
    # '' with a "Previous command outputs are truncated" prefix); gohands answers 5001.
    c.run_ok(f'echo {"x" * 5000} | wc -c', contains=['5001'])


@case()
def vscode_token_without_plugin(c: Ctx):
    c.rt._vscode_enabled = True
    c.check(c.rt.get_vscode_token() == '', 'no token without the vscode plugin')
    ex = c.rt.exchanges[-1]
    c.check(ex['url'].endswith('/vscode/connection_token') and json.loads(ex['text']) == {'token': None},
            f'exchange {ex}')


@case(api_key='compat-key-123')
def session_api_key(c: Ctx):
    c.run_ok('echo authorized', contains=['authorized'])
    c.check(c.rt.list_files() == [], 'list_files with the key')
    with tempfile.TemporaryDirectory() as d:
        c.rt.copy_to(str(_host_file(Path(d))), c.ws)
    path = c.rt.copy_from(c.ws)
    with zipfile.ZipFile(path) as zf:
        c.check(zf.namelist() == ['test_file.txt'], 'download with the key')
    path.unlink()
    c.rt.check_if_alive()
    del c.rt.session.headers['X-Session-API-Key']
    c.rt.check_if_alive()  # /alive needs no key
    for call in (lambda: c.rt.run_action(CmdRunAction('echo no')), lambda: c.rt.list_files()):
        try:
            call()
            c.check(False, 'a request without the key must fail')
        except RequestHTTPError as e:
            c.check(e.response.status_code == 403 and e.detail == 'Invalid API Key',
                    f'{e.response.status_code} {e.detail!r}')


@case()
def browse_disabled(c: Ctx):
    obs = c.run(BrowseURLAction(url='http://localhost:9'))
    c.isinst(obs, ErrorObservation, 'browse')
    c.check('Browser functionality is not supported or disabled' in obs.content, 'browser off text', obs)
    obs = c.run(BrowseInteractiveAction(browser_actions='goto("http://localhost:9")'))
    c.isinst(obs, ErrorObservation, 'browse_interactive')
    c.check('Browser functionality is not supported or disabled' in obs.content, 'browser off text', obs)


@case()
def client_local_actions(c: Ctx):
    n = len(c.rt.exchanges)
    obs = c.rt.run_action(AgentThinkAction(thought='hmm'))
    c.check(isinstance(obs, AgentThinkObservation) and obs.content == 'Your thought has been logged.', 'think')
    obs = c.rt.run_action(MessageAction(content='hi'))
    c.check(isinstance(obs, NullObservation), 'message')
    c.check(len(c.rt.exchanges) == n, 'nothing sent for client-local actions')
    # The server's answer to an action it has no handler for (the client never sends one).
    try:
        c.rt._send_action_server_request('POST', c.rt.action_execution_server_url + '/execute_action',
                                         json={'action': event_to_dict(AgentThinkAction(thought='hmm'))}, timeout=10)
        c.check(False, 'think must be an HTTP error')
    except RequestHTTPError as e:
        c.check(e.response.status_code == 500, f'status {e.response.status_code}')
        c.check(e.detail == "Internal server error: 'ActionExecutor' object has no attribute 'think'",
                f'detail {e.detail!r}')


@case()
def ipython_without_jupyter(c: Ctx):
    # The reference server answers HTTP 500; the real client raises (it does not parse a body).
    try:
        c.rt.run_action(IPythonRunCellAction('print(1)'))
        c.check(False, 'run_ipython without the jupyter plugin must be an HTTP error')
    except RequestHTTPError as e:
        c.check(e.response.status_code == 500, f'status {e.response.status_code}')
        c.check(e.detail == 'Internal server error: JupyterRequirement not found. Unable to run IPython action.',
                f'detail {e.detail!r}')


@case()
def mcp_update(c: Ctx):
    cfg = c.rt.get_mcp_config([MCPStdioServerConfig(name='compat-fetch', command='true')])
    ex = [x for x in c.rt.exchanges if x['url'].endswith('/update_mcp_server')]
    c.check(len(ex) == 1 and ex[0]['status'] == 200, f'update_mcp_server exchange {ex}')
    body = json.loads(ex[0]['text'])
    c.check(body.get('detail') == 'MCP server updated successfully' and 'router_error_log' in body, f'body {body}')
    c.check(any(s.url.endswith('/mcp/sse') for s in cfg.sse_servers), 'runtime SSE server added')


# ---------------------------------------------------------------------------------------------
# read / write (test_ipython.py's file part, spec §5.3-5.4)
# ---------------------------------------------------------------------------------------------


@case()
def file_read_write(c: Ctx):
    obs = c.run(FileReadAction(path='hello.sh'))
    c.isinst(obs, ErrorObservation, 'read missing')
    c.check('File not found' in obs.content, 'File not found', obs)
    obs = c.write('hello.sh', 'echo "Hello, World!"')
    c.check(obs.content == '' and obs.path == f'{c.ws}/hello.sh', 'write obs', obs)
    obs = c.run(FileReadAction(path='hello.sh'))
    c.isinst(obs, FileReadObservation, 'read')
    c.check(obs.content == 'echo "Hello, World!"\n' and obs.path == f'{c.ws}/hello.sh', 'read obs', obs)
    c.check(obs.impl_source == FileReadSource.DEFAULT, 'impl_source default', obs)
    # start/end slices
    c.write('lines.txt', 'a\nb\nc\nd')
    obs = c.run(FileReadAction(path='lines.txt', start=1, end=3))
    c.check(obs.content == 'b\nc\n', 'start/end', obs)
    # oh_aci read with view_range goes through the editor
    obs = c.run(FileReadAction(path=f'{c.ws}/lines.txt', impl_source=FileReadSource.OH_ACI, view_range=[2, 3]))
    c.isinst(obs, FileReadObservation, 'oh_aci read')
    c.check('     2\tb\n     3\tc' in obs.content and obs.impl_source == FileReadSource.OH_ACI, 'view_range', obs)
    # relative paths follow the bash cwd
    c.run_ok('mkdir -p sub && cd sub')
    c.write('rel.txt', 'x')
    c.run_ok(f'test -f {c.ws}/sub/rel.txt')
    # a directory is an error observation
    obs = c.run(FileReadAction(path=c.ws))
    c.isinst(obs, ErrorObservation, 'read dir')
    obs = c.run(FileWriteAction(path=c.ws, content='x'))
    c.isinst(obs, ErrorObservation, 'write to a dir')
    c.check(obs.content == f'Path is a directory: {c.ws}. You can only write to files', 'dir text', obs)
    # Not a directory is not caught by the reference's write(): HTTP 500, the client raises.
    try:
        c.rt.run_action(FileWriteAction(path='/proc/version/x', content='x'))
        c.check(False, 'write under a regular file must be an HTTP error')
    except RequestHTTPError as e:
        c.check(e.response.status_code == 500, f'status {e.response.status_code}')
        c.check(e.detail == "Internal server error: [Errno 20] Not a directory: '/proc/version/x'",
                f'detail {e.detail!r}')


@case()
def file_read_binary_and_image(c: Ctx):
    png = (b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15'
           b'\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82')
    (c.server.workdir / 'img.png').write_bytes(png)
    (c.server.workdir / 'blob.bin').write_bytes(b'\x00\x01\x02\xff' * 10)
    obs = c.run(FileReadAction(path=f'{c.ws}/blob.bin'))
    c.isinst(obs, ErrorObservation, 'binary')
    c.check(obs.content == 'ERROR_BINARY_FILE', 'ERROR_BINARY_FILE', obs)
    obs = c.run(FileReadAction(path=f'{c.ws}/img.png'))
    c.check(isinstance(obs, (ErrorObservation, FileReadObservation)), 'png read', obs)


# ---------------------------------------------------------------------------------------------
# tests/runtime/test_aci_edit.py
# ---------------------------------------------------------------------------------------------


@case()
def aci_view_file(c: Ctx):
    f = f'{c.ws}/test.txt'
    c.write(f, 'This is a test file.\nThis file is for testing purposes.')
    obs = c.edit(command='view', path=f)
    for s in (f"Here's the result of running `cat -n` on {f}:", '1\tThis is a test file.',
              '2\tThis file is for testing purposes.'):
        c.check(s in obs.content, s, obs)


@case()
def aci_view_directory(c: Ctx):
    c.write(f'{c.ws}/test.txt', 'This is a test file.\nThis file is for testing purposes.')
    (c.server.workdir / '.downloads').mkdir()  # the reference's hidden dir (made by its browser)
    obs = c.edit(command='view', path=c.ws)
    want = (f"Here's the files and directories up to 2 levels deep in {c.ws}, excluding hidden items:\n{c.ws}/\n"
            f"{c.ws}/test.txt\n\n1 hidden files/directories in this directory are excluded. "
            f"You can use 'ls -la {c.ws}' to see them.")
    c.check(obs.content == want, f'exact dir view, want {want!r}', obs)


@case()
def aci_create_file(c: Ctx):
    f = f'{c.ws}/new_file.txt'
    obs = c.edit(command='create', path=f, file_text='New file content')
    c.check('File created successfully' in obs.content, 'created', obs)
    c.check(obs.path == f and obs.prev_exist is False and obs.old_content is None and obs.new_content is None,
            'create extras', obs)
    c.check(obs.diff == f'--- {f}\n+++ {f}\n@@ -1 +1 @@\n-\n+New file content', f'create diff {obs.diff!r}', obs)
    obs = c.edit(command='view', path=f)
    c.check('New file content' in obs.content, 'view', obs)


@case()
def aci_create_file_with_empty_content(c: Ctx):
    f = f'{c.ws}/new_file.txt'
    obs = c.edit(command='create', path=f, file_text='')
    c.check('File created successfully' in obs.content, 'created', obs)
    obs = c.edit(command='view', path=f)
    c.check('1\t' in obs.content, 'view', obs)


@case()
def aci_create_with_none_file_text(c: Ctx):
    obs = c.edit(command='create', path=f'{c.ws}/none_content.txt', file_text=None)
    c.check(obs.content == 'ERROR:\nParameter `file_text` is required for command: create.', 'exact', obs)


@case()
def aci_str_replace(c: Ctx):
    f = f'{c.ws}/test.txt'
    c.write(f, 'This is a test file.\nThis file is for testing purposes.')
    obs = c.edit(command='str_replace', path=f, old_str='test file', new_str='sample file')
    c.check(f'The file {f} has been edited' in obs.content, 'edited', obs)
    c.check(obs.old_content == 'test file' and obs.new_content == 'sample file', 'old/new echo the strings', obs)
    # old_content/new_content echo the strings, but the diff is of the file's contents
    c.check('-This is a test file.' in obs.diff and '+This is a sample file.' in obs.diff, 'diff', obs)
    obs = c.edit(command='view', path=f)
    c.check('This is a sample file.' in obs.content, 'view', obs)


@case()
def aci_str_replace_multi_line(c: Ctx):
    f = f'{c.ws}/test.txt'
    c.write(f, 'This is a test file.\nThis file is for testing purposes.')
    obs = c.edit(command='str_replace', path=f, old_str='This is a test file.\nThis file is for testing purposes.',
                 new_str='This is a sample file.\nThis file is for testing purposes.')
    for s in (f'The file {f} has been edited.', 'This is a sample file.', 'This file is for testing purposes.'):
        c.check(s in obs.content, s, obs)


@case()
def aci_str_replace_multi_line_with_tabs(c: Ctx):
    f = f'{c.ws}/test.txt'
    c.edit(command='create', path=f, file_text='def test():\n\tprint("Hello, World!")')
    obs = c.edit(command='str_replace', path=f, old_str='def test():\n\tprint("Hello, World!")',
                 new_str='def test():\n\tprint("Hello, Universe!")')
    want = (f"The file {f} has been edited. Here's the result of running `cat -n` on a snippet of {f}:\n"
            '     1\tdef test():\n     2\t\tprint("Hello, Universe!")\n'
            'Review the changes and make sure they are as expected. Edit the file again if necessary.')
    c.check(obs.content == want, 'exact', obs)


@case()
def aci_str_replace_error_multiple_occurrences(c: Ctx):
    f = f'{c.ws}/test.txt'
    c.write(f, 'This is a test file.\nThis file is for testing purposes.')
    obs = c.edit(command='str_replace', path=f, old_str='test', new_str='sample')
    c.check('Multiple occurrences of old_str `test`' in obs.content and '[1, 2]' in obs.content, 'multi', obs)


@case()
def aci_str_replace_error_multiple_multiline_occurrences(c: Ctx):
    f = f'{c.ws}/test.txt'
    block = 'def example():\n        print("Hello")\n        return True'
    c.write(f, f"{block}\n\nprint('separator')\n\n{block}")
    obs = c.edit(command='str_replace', path=f, old_str=block, new_str='def new():\n    print("World")')
    c.check('Multiple occurrences of old_str' in obs.content and '[1, 7]' in obs.content, 'multi', obs)


@case()
def aci_str_replace_nonexistent_string(c: Ctx):
    f = f'{c.ws}/test.txt'
    c.write(f, 'Line 1\nLine 2')
    obs = c.edit(command='str_replace', path=f, old_str='Non-existent Line', new_str='New Line')
    c.check('No replacement was performed' in obs.content, 'no replacement', obs)
    c.check(f'old_str `Non-existent Line` did not appear verbatim in {f}' in obs.content, 'verbatim', obs)


@case()
def aci_str_replace_with_empty_new_str(c: Ctx):
    f = f'{c.ws}/test.txt'
    c.write(f, 'Line 1\nLine to remove\nLine 3')
    obs = c.edit(command='str_replace', path=f, old_str='Line to remove\n', new_str='')
    c.check('Line to remove' not in obs.content and 'Line 1' in obs.content and 'Line 3' in obs.content, 'x', obs)


@case()
def aci_str_replace_with_empty_old_str(c: Ctx):
    f = f'{c.ws}/test.txt'
    c.write(f, 'Line 1\nLine 2\nLine 3')
    obs = c.edit(command='str_replace', path=f, old_str='', new_str='New string')
    c.check('No replacement was performed. Multiple occurrences of old_str `` in lines [1, 2, 3, 4]. '
            'Please ensure it is unique.' in obs.content, 'empty old_str', obs)


@case()
def aci_str_replace_with_none_old_str(c: Ctx):
    f = f'{c.ws}/test.txt'
    c.write(f, 'Line 1\nLine 2\nLine 3')
    obs = c.edit(command='str_replace', path=f, old_str=None, new_str='new content')
    c.check('old_str' in obs.content, 'old_str', obs)


@case()
def aci_insert(c: Ctx):
    f = f'{c.ws}/test.txt'
    c.write(f, 'Line 1\nLine 2')
    obs = c.edit(command='insert', path=f, insert_line=1, new_str='Inserted line')
    c.check(f'The file {f} has been edited' in obs.content, 'edited', obs)
    obs = c.edit(command='view', path=f)
    for s in ('Line 1', 'Inserted line', 'Line 2'):
        c.check(s in obs.content, s, obs)


@case()
def aci_insert_invalid_line(c: Ctx):
    f = f'{c.ws}/test.txt'
    c.write(f, 'Line 1\nLine 2')
    obs = c.edit(command='insert', path=f, insert_line=10, new_str='Invalid Insert')
    c.check('Invalid `insert_line` parameter' in obs.content, 'invalid', obs)
    c.check('It should be within the range of allowed values' in obs.content, 'range', obs)


@case()
def aci_insert_with_empty_string(c: Ctx):
    f = f'{c.ws}/test.txt'
    c.write(f, 'Line 1\nLine 2')
    obs = c.edit(command='insert', path=f, insert_line=1, new_str='')
    for s in ('1\tLine 1', '2\t\n', '3\tLine 2'):
        c.check(s in obs.content, s, obs)


@case()
def aci_insert_with_none_new_str(c: Ctx):
    f = f'{c.ws}/test.txt'
    c.write(f, 'Line 1\nLine 2')
    obs = c.edit(command='insert', path=f, insert_line=1, new_str=None)
    c.check('ERROR' in obs.content and 'Parameter `new_str` is required for command: insert' in obs.content, 'x', obs)


@case()
def aci_undo_edit(c: Ctx):
    f = f'{c.ws}/test.txt'
    c.write(f, 'This is a test file.')
    obs = c.edit(command='str_replace', path=f, old_str='test', new_str='sample')
    c.check('This is a sample file.' in obs.content, 'edit', obs)
    obs = c.edit(command='undo_edit', path=f)
    c.check('Last edit to' in obs.content and 'This is a test file.' in obs.content, 'undo', obs)
    obs = c.edit(command='view', path=f)
    c.check('This is a test file.' in obs.content, 'view', obs)


@case()
def aci_validate_path_invalid(c: Ctx):
    f = f'{c.ws}/nonexistent.txt'
    obs = c.edit(command='view', path=f)
    c.check('Invalid `path` parameter' in obs.content and f'The path {f} does not exist' in obs.content, 'x', obs)


@case()
def aci_create_existing_file_error(c: Ctx):
    f = f'{c.ws}/test.txt'
    c.write(f, 'Line 1\nLine 2')
    obs = c.edit(command='create', path=f, file_text='New content')
    c.check('File already exists' in obs.content, 'exists', obs)


@case()
def aci_str_replace_missing_old_str(c: Ctx):
    f = f'{c.ws}/test.txt'
    c.write(f, 'Line 1\nLine 2')
    obs = c.edit(command='str_replace', path=f, old_str='', new_str='sample')
    c.check('No replacement was performed. Multiple occurrences of old_str ``' in obs.content, 'x', obs)


@case()
def aci_str_replace_new_str_and_old_str_same(c: Ctx):
    f = f'{c.ws}/test.txt'
    c.write(f, 'Line 1\nLine 2')
    obs = c.edit(command='str_replace', path=f, old_str='test file', new_str='test file')
    c.check('No replacement was performed. `new_str` and `old_str` must be different.' in obs.content, 'x', obs)


@case()
def aci_insert_missing_line_param(c: Ctx):
    f = f'{c.ws}/test.txt'
    c.write(f, 'Line 1\nLine 2')
    obs = c.edit(command='insert', path=f, new_str='Missing insert line')
    c.check('Parameter `insert_line` is required for command: insert' in obs.content, 'x', obs)


@case()
def aci_undo_edit_no_history_error(c: Ctx):
    f = f'{c.ws}/empty.txt'
    c.write(f, '')
    obs = c.edit(command='undo_edit', path=f)
    c.check('No edit history found for' in obs.content, 'x', obs)


@case()
def aci_view_large_file_with_truncation(c: Ctx):
    f = f'{c.ws}/large_test.txt'
    c.write(f, 'Line 1\n' * 16000)
    obs = c.edit(command='view', path=f)
    c.check('Due to the max output limit, only part of this file has been shown to you.' in obs.content, 'x', obs)


@case()
def aci_insert_line_as_string(c: Ctx):
    # test_insert_line_string_conversion, over the wire: an agent's tool call may carry "2".
    f = f'{c.ws}/test.txt'
    c.write(f, 'Line 1\nLine 2')
    obs = c.edit(command='insert', path=f, insert_line='2', new_str='Line 3')
    c.check(f'The file {f} has been edited' in obs.content, 'edited', obs)
    c.run_ok(f'cat {f}', contains=['Line 1\nLine 2\nLine 3'])


# ---------------------------------------------------------------------------------------------
# tests/runtime/test_env_vars.py (SANDBOX_ENV_*, add_env_vars, runtime_startup_env_vars)
# ---------------------------------------------------------------------------------------------


def _first_line(obs) -> str:
    return obs.content.strip().split('\r\n')[0]


@case(sandbox_env={'SANDBOX_ENV_FOOBAR': 'BAZ'})
def env_vars_os_environ(c: Ctx):
    obs = c.run_ok('echo $FOOBAR')
    c.check(_first_line(obs) == 'BAZ', 'FOOBAR', obs)


@case()
def env_vars_runtime_operations(c: Ctx):
    c.rt.add_env_vars({'QUUX': 'abc"def'})
    obs = c.run_ok('echo $QUUX')
    c.check(_first_line(obs) == 'abc"def', 'QUUX', obs)
    c.rt.add_env_vars({'FOOBAR': 'xyz'})
    obs = c.run_ok('echo $QUUX $FOOBAR')
    c.check(_first_line(obs) == 'abc"def xyz', 'QUUX FOOBAR', obs)
    before = c.run_ok('env | sort').content
    c.rt.add_env_vars({})
    after = c.run_ok('env | sort').content
    c.check(before == after, 'add_env_vars({}) changed env')
    c.rt.add_env_vars({'QUUX': 'new_value'})
    obs = c.run_ok('echo $QUUX')
    c.check(_first_line(obs) == 'new_value', 'overwrite', obs)
    # the reference's echo "export K=<json>" loses the JSON quotes; the first value stays
    obs = c.run_ok('grep "^export QUUX=" ~/.bashrc')
    c.check(obs.content == 'export QUUX=abc"def', '.bashrc line', obs)


@case(startup_env={'ADDED_ENV_VAR': 'added_value'})
def env_vars_added_by_config(c: Ctx):
    obs = c.run_ok('echo $ADDED_ENV_VAR')
    c.check(_first_line(obs) == 'added_value', 'ADDED_ENV_VAR', obs)


# ---------------------------------------------------------------------------------------------
# tests/runtime/test_ipython.py (needs --jupyter)
# ---------------------------------------------------------------------------------------------


def _footer(c: Ctx, cwd: str | None = None) -> str:
    return (f'[Jupyter current working directory: {cwd or c.ws}]\n'
            f'[Jupyter Python interpreter: {c.interp}]')


def _ipy(c: Ctx, code, **kw):
    obs = c.run(IPythonRunCellAction(code=code, **kw))
    c.isinst(obs, IPythonRunCellObservation, f'cell {code[:40]!r}')
    return obs


def _interp(c: Ctx):
    obs = _ipy(c, 'import sys; print(sys.executable)', include_extra=False)
    c.interp = obs.content.strip()


@case(jupyter=True, sandbox_env={'SANDBOX_ENV_FOOBAR': 'BAZ'})
def ipython_env_vars_reach_kernel(c: Ctx):
    # setup_initial_env sent the os.environ cell (and the bash exports) on connect
    obs = _ipy(c, "import os; print(os.environ['FOOBAR'])", include_extra=False)
    c.check(obs.content == 'BAZ', 'FOOBAR in the kernel', obs)


@case(jupyter=True)
def ipython_simple_cmd_and_fileop(c: Ctx):
    _interp(c)
    c.run_ok('ls -l', contains=['total 0'])
    obs = _ipy(c, "print('Hello, `World`!\\n')")
    c.check(obs.content.strip() == 'Hello, `World`!\n' + _footer(c), 'hello', obs)
    c.check(obs.code == "print('Hello, `World`!\\n')" and obs.image_urls is None, 'extras', obs)
    obs = c.run(FileReadAction(path='hello.sh'))
    c.check(isinstance(obs, ErrorObservation) and 'File not found' in obs.content, 'missing', obs)
    obs = c.write('hello.sh', 'echo "Hello, World!"')
    c.check(obs.content == '' and obs.path == f'{c.ws}/hello.sh', 'write', obs)
    obs = c.run(FileReadAction(path='hello.sh'))
    c.check(obs.content == 'echo "Hello, World!"\n' and obs.path == f'{c.ws}/hello.sh', 'read', obs)
    c.run_ok('rm -rf hello.sh')


@case(jupyter=True)
def ipython_multi_user(c: Ctx):
    _interp(c)
    obs = _ipy(c, "import os; print(os.environ['USER'])")
    c.check(c.user in obs.content, 'USER', obs)
    obs = _ipy(c, 'import os; print(os.getcwd())')
    c.check(obs.content.strip() == c.ws + '\n' + _footer(c), 'getcwd', obs)
    obs = _ipy(c, "with open('test.txt', 'w') as f: f.write('Hello, world!')")
    c.check(obs.content.strip() == '[Code executed successfully with no output]\n' + _footer(c), 'no output', obs)
    obs = c.run_ok('ls -alh test.txt')
    c.check(c.user in obs.content.split('\r\n')[0], 'owner', obs)
    c.run_ok('rm -rf test')


@case(jupyter=True)
def ipython_simple(c: Ctx):
    _interp(c)
    obs = _ipy(c, 'print(1)')
    c.check(obs.content.strip() == '1\n' + _footer(c), 'print(1)', obs)


@case(jupyter=True)
def ipython_chdir(c: Ctx):
    obs = _ipy(c, "\nimport os\nos.makedirs('test_dir', exist_ok=True)\nabs_path = os.path.abspath('test_dir')\n"
                  'print(abs_path)\n')
    path = obs.content.strip().split('\n')[0]
    c.check(path == f'{c.ws}/test_dir', 'abs path', obs)
    obs = _ipy(c, f"\nimport os\nos.chdir(r'{path}')\nprint(os.getcwd())\n")
    c.check(obs.content.strip().split('\n')[0] == path, 'chdir', obs)
    _ipy(c, "\nimport os\nimport shutil\nshutil.rmtree('test_dir', ignore_errors=True)\n")


@case(jupyter=True)
def ipython_cwd_follows_bash(c: Ctx):
    _interp(c)
    c.run_ok('mkdir -p sub && cd sub')
    obs = _ipy(c, 'import os; print(os.getcwd())')
    c.check(obs.content.strip() == f'{c.ws}/sub\n' + _footer(c, f'{c.ws}/sub'), 'cwd sync', obs)


@case(jupyter=True, network=True)
def ipython_package_install(c: Ctx):
    _interp(c)
    obs = _ipy(c, 'import pymsgbox')
    c.check("ModuleNotFoundError: No module named 'pymsgbox'" in obs.content, 'missing module', obs)
    obs = _ipy(c, '%pip install pymsgbox==1.0.9')
    c.check('Successfully installed pymsgbox-1.0.9' in obs.content or '[Package installed successfully]' in obs.content,
            'installed', obs)
    obs = _ipy(c, 'import pymsgbox')
    c.check(obs.content.strip() == '[Code executed successfully with no output]\n' + _footer(c), 'import', obs)
    _ipy(c, '%pip uninstall -y pymsgbox')


@case(jupyter=True)
def ipython_file_editor(c: Ctx):
    f = f'{c.ws}/test.txt'
    code = (f"print(file_editor(command='create', path='{f}', file_text='Line 1\\nLine 2\\nLine 3'))\n"
            f"print(file_editor(command='view', path='{f}'))\n"
            f"print(file_editor(command='str_replace', path='{f}', old_str='Line 2', new_str='New Line 2'))\n"
            f"print(file_editor(command='undo_edit', path='{f}'))\n")
    obs = _ipy(c, code, include_extra=False)
    for s in ('File created successfully', 'Line 1', 'Line 2', 'Line 3', 'New Line 2', 'Last edit to',
              'undone successfully'):
        c.check(s in obs.content, s, obs)
    # The same calls through the real openhands_aci file_editor, here, on a sibling file: the
    # kernel's output must be the same text (marker ids and the file name aside).
    import re

    from openhands_aci.editor import file_editor

    g = f'{c.ws}/ref_test.txt'
    want = '\n'.join([
        file_editor(command='create', path=g, file_text='Line 1\nLine 2\nLine 3'),
        file_editor(command='view', path=g),
        file_editor(command='str_replace', path=g, old_str='Line 2', new_str='New Line 2'),
        file_editor(command='undo_edit', path=g),
        file_editor(command='view', path=f'{c.ws}/missing.txt'),
    ])
    h = f'{c.ws}/cmp_test.txt'
    got = _ipy(c, code.replace(f, h) + f"print(file_editor(command='view', path='{c.ws}/missing.txt'))\n",
               include_extra=False)

    def norm(t):
        return re.sub(r'oh_aci_output_[0-9a-f]{32}', 'oh_aci_output_X', t).replace(g, h)

    c.check(norm(got.content) == norm(want), f'kernel file_editor output differs from openhands_aci:\n'
            f'{norm(want)!r}', got)
    c.run_ok(f'rm -f {f} {g} {h}')


@case(jupyter=True, user_only=True)
def ipython_file_editor_permissions(c: Ctx):
    # test_ipython_file_editor_permissions_as_openhands: the kernel runs as the sandbox user.
    # (No sudo here: the root-only file is made from this process; /root is the case's dir.)
    root_home = c.server.home
    root_home.chmod(0o700)
    (root_home / 'test.txt').write_text('')
    (root_home / 'test.txt').chmod(0o600)
    for code in ("print(file_editor(command='view', path='/root/test.txt'))",
                 "print(file_editor(command='str_replace', path='/root/test.txt', old_str='', new_str='test'))",
                 "print(file_editor(command='create', path='/root/new.txt', file_text='test'))"):
        obs = _ipy(c, code)
        c.check('Permission denied' in obs.content, f'permission denied: {code}', obs)
    c.check(not (root_home / 'new.txt').exists(), '/root/new.txt must not be created')


@case(jupyter=True)
def ipython_image_and_timeout(c: Ctx):
    obs = _ipy(c, 'from IPython.display import Image, display\n'
                  "display(Image(data=bytes.fromhex('89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                  "1f15c4890000000d49444154789c63f80f00000101000518d84e0000000049454e44ae426082')))")
    c.check(obs.image_urls and obs.image_urls[0].startswith('data:image/png;base64,'), 'image_urls', obs)
    a = IPythonRunCellAction(code='import time; time.sleep(5)')
    a.set_hard_timeout(1)
    obs = c.run(a)
    c.isinst(obs, IPythonRunCellObservation, 'timeout cell')
    c.check(obs.content.startswith('[Execution timed out (1.0 seconds).]'), 'timeout text', obs)


# ---------------------------------------------------------------------------------------------
# Runner
# ---------------------------------------------------------------------------------------------


def run_case(name, opts_case, fn, opts) -> tuple[str, str, list[str]]:
    plugins = ['agent_skills', 'jupyter'] if opts_case['jupyter'] else []
    saved = {}
    for k, v in opts_case['sandbox_env'].items():
        saved[k] = os.environ.get(k)
        os.environ[k] = v
    server = rt = None
    status, detail = 'PASS', ''
    try:
        senv = dict(opts_case['env'])
        if opts_case['api_key']:
            senv['SESSION_API_KEY'] = opts_case['api_key']
        user = None
        if opts.user:
            n = int.from_bytes(os.urandom(3), 'big') % 100000
            user = (f'ghc{n:05d}', 30000 + n % 20000)
        server = Server(opts.binary, plugins, senv, opts.jupyter_bin if opts_case['jupyter'] else None, user)
        cfg = OpenHandsConfig()
        cfg.workspace_mount_path_in_sandbox = str(server.workdir)
        cfg.sandbox.runtime_startup_env_vars = dict(opts_case['startup_env'])
        reqs = [AgentSkillsRequirement(), JupyterRequirement()] if opts_case['jupyter'] else []
        rt = GoHandsRuntime(cfg, server.url, plugins=reqs)
        if opts_case['api_key']:
            rt.session.headers['X-Session-API-Key'] = opts_case['api_key']  # as LocalRuntime does
        asyncio.run(rt.connect())
        fn(Ctx(rt, server, opts))
    except CaseFailure as e:
        status, detail = 'FAIL', str(e)
    except Exception:
        status, detail = 'ERROR', traceback.format_exc(limit=8)
    finally:
        if rt is not None:
            rt.close()
        if server is not None:
            if opts.keep_logs:
                print(f'    server log: {(server.tmp / "server.log").read_text()[-2000:]}')
            server.close()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    if opts.record is not None and rt is not None:
        opts.record[name] = _normalized_exchanges(rt, server)
    return status, detail, (rt.shape_problems if rt is not None else [])


def _normalized_exchanges(rt: GoHandsRuntime, server: Server) -> list:
    """The case's HTTP exchanges with the per-run paths and port replaced, for --compare."""
    out = []
    for ex in rt.exchanges:
        text = ex.get('text')
        body = None
        if text is not None:
            try:
                body = json.loads(text)
            except ValueError:
                body = f'<{len(text)} bytes>'
        item = {'method': ex['method'], 'path': ex['url'].split(str(server.port), 1)[-1], 'json': ex['json'],
                'params': ex['params'], 'status': ex.get('status'), 'body': body, 'detail': ex.get('detail')}
        dump = json.dumps(item)
        for old, new in ((str(server.workdir), '<WS>'), (str(server.tmp), '<TMP>')):
            dump = dump.replace(old, new)
        out.append(json.loads(dump))
    return out


def compare(a_path: str, b_path: str) -> int:
    """Print every response that differs between two --record files (same cases, same order)."""
    a, b = json.load(open(a_path)), json.load(open(b_path))
    ndiff = 0
    for name in a:
        if name not in b:
            continue
        xa, xb = a[name], b[name]
        for i in range(max(len(xa), len(xb))):
            ea = xa[i] if i < len(xa) else None
            eb = xb[i] if i < len(xb) else None
            if ea is None or eb is None:
                ndiff += 1
                print(f'{name} #{i}: only in {"B" if ea is None else "A"}: {json.dumps(ea or eb)[:600]}')
                continue
            if ea['json'] != eb['json'] or ea['path'] != eb['path']:
                print(f'{name} #{i}: requests diverge (A {json.dumps(ea["json"])[:200]} / B {json.dumps(eb["json"])[:200]})')
                ndiff += 1
                break
            for k in ('status', 'body', 'detail'):
                if ea[k] != eb[k]:
                    ndiff += 1
                    print(f'{name} #{i} {ea["path"]} {json.dumps(ea["json"])[:300]}')
                    for line in _dict_diff(ea[k], eb[k], k):
                        print('    ' + line)
    print(f'{ndiff} differing responses')
    return 0 if ndiff == 0 else 1


def _dict_diff(a, b, path):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a:
                yield f'{path}.{k}: only in B = {json.dumps(b[k])[:400]}'
            elif k not in b:
                yield f'{path}.{k}: only in A = {json.dumps(a[k])[:400]}'
            else:
                yield from _dict_diff(a[k], b[k], f'{path}.{k}')
    elif a != b:
        yield f'{path}:\n      A {json.dumps(a)[:1500]}\n      B {json.dumps(b)[:1500]}'


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--binary', help="the gohands action-execution-server binary, or 'reference' for the "
                                     "reference's own server from the installed openhands-ai package")
    ap.add_argument('--record', metavar='FILE', help='write every case\'s normalized HTTP exchanges to FILE')
    ap.add_argument('--compare', nargs=2, metavar=('A', 'B'), help='diff two --record files and exit')
    ap.add_argument('--jupyter', action='store_true', help='also run the IPython cases (--plugins agent_skills jupyter)')
    ap.add_argument('--jupyter-bin', default=os.environ.get('GOHANDS_JUPYTER_VENV', '/opt/gohands/jupyter') + '/bin',
                    help='directory put first on the server PATH for the jupyter plugin')
    ap.add_argument('--network', action='store_true', help='run cases that need PyPI (pip install in the kernel)')
    ap.add_argument('--user', action='store_true',
                    help='run each server with a fresh sandbox user (useradd by the server, userdel -r after), '
                         'as the reference fixture runs as openhands; gohands only')
    ap.add_argument('-k', action='append', default=[], help='run only cases whose name contains this (repeatable)')
    ap.add_argument('-v', '--verbose', action='store_true')
    ap.add_argument('--keep-logs', action='store_true', help='print the tail of each server log')
    opts = ap.parse_args()
    if opts.compare:
        return compare(*opts.compare)
    if not opts.binary:
        ap.error('--binary is required')
    record_path, opts.record = opts.record, ({} if opts.record else None)

    selected = [(n, o, f) for n, o, f in CASES
                if (not opts.k or any(k in n for k in opts.k))
                and (opts.jupyter or not o['jupyter'])
                and (opts.network or not o['network'])
                and (opts.user or not o['user_only'])]
    passed = failed = 0
    shape_total: list[tuple[str, str]] = []
    t0 = time.time()
    for name, o, fn in selected:
        t = time.time()
        status, detail, shape = run_case(name, o, fn, opts)
        ok = status == 'PASS' and not shape
        passed += ok
        failed += not ok
        label = status if not shape or status != 'PASS' else 'SHAPE'
        print(f'{label:5} {name} ({time.time() - t:.1f}s)', flush=True)
        if detail:
            print('      ' + detail.replace('\n', '\n      '))
        for s in dict.fromkeys(shape):
            print(f'      shape: {s}')
            shape_total.append((name, s))
    print(f'\n{len(selected)} cases in {time.time() - t0:.0f}s; {len(shape_total)} shape differences')
    if record_path:
        with open(record_path, 'w') as f:
            json.dump(opts.record, f, indent=1)
    print(f'{passed} passed, {failed} failed')
    return 0 if failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
