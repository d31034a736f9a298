"""The MCP proxy side by side with the reference's (openhands-ai 0.62.0's own server).

Both servers get the same /update_mcp_server configs (mcp-server-time, server-filesystem and
server-everything from scripts/deps.d/50-mcp.sh); the backend's own client code
(openhands.mcp.utils.create_mcp_clients + call_tool_mcp, with the MCPSSEServerConfig that
ActionExecutionClient.get_mcp_config builds) then lists the tools and calls them. The tool
names and every deterministic result must be the same. Run it with the venv of
scripts/compat-check.sh:

    scripts/compat-check.sh --mcp
"""

import argparse
import asyncio
import json
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import time

import httpx

KEY = 'side-by-side-key'
VENV = os.environ.get('GOHANDS_MCP_VENV', '/opt/gohands/mcp')
NPM = os.environ.get('GOHANDS_MCP_NPM', '/opt/gohands/mcp-npm')


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix='mcp-sbs-'))
        self.workdir = self.tmp / 'ws'
        self.workdir.mkdir()
        (self.workdir / 'a.txt').write_text('a\n')
        home = self.tmp / 'home'
        (home / '.pyenv').mkdir(parents=True)
        port = free_port()
        self.url = f'http://127.0.0.1:{port}'
        cmd = [sys.executable, '-m', 'openhands.runtime.action_execution_server'] if binary == 'reference' else [binary]
        args = [*cmd, str(port), '--working-dir', str(self.workdir), '--username', 'root', '--user-id', '0', '--no-enable-browser']
        # As real_client_check.py: a private mount namespace with a fresh /root.
        isolate = '[ -d /root/.pyenv ] && mount --rbind /root/.pyenv "$0/.pyenv"; mount --rbind "$0" /root && exec "$@"'
        args = ['unshare', '-m', '--propagation', 'private', 'sh', '-c', isolate, str(home), *args]
        env = dict(os.environ, SESSION_API_KEY=KEY, HOME='/root', LOCAL_RUNTIME_MODE='1', OPENHANDS_REPO_PATH=str(self.tmp), LOG_LEVEL='WARNING')
        self.log = open(self.tmp / 'server.log', 'wb')
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if httpx.get(self.url + '/alive', timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError('server did not start')

    def close(self):
        os.killpg(self.proc.pid, 15)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()


def configs(workdir):
    # Sorted by name, as ActionExecutionClient.get_mcp_config sends them.
    return [
        {'name': 'everything', 'command': f'{NPM}/bin/mcp-server-everything', 'args': [], 'env': {}},
        {'name': 'filesystem', 'command': f'{NPM}/bin/mcp-server-filesystem', 'args': [str(workdir)], 'env': {}},
        {'name': 'time', 'command': f'{VENV}/bin/mcp-server-time', 'args': [], 'env': {}},
    ]


CALLS = [
    ('everything_echo', {'message': 'side by side'}),
    ('everything_get-sum', {'a': 2, 'b': 40}),
    ('everything_get-tiny-image', {}),
    ('everything_get-annotated-message', {'messageType': 'error', 'includeImage': False}),
    ('time_convert_time', {'source_timezone': 'UTC', 'time': '12:00', 'target_timezone': 'Asia/Tokyo'}),
    ('time_get_current_time', {'timezone': 'Nowhere/Nothing'}),
    ('filesystem_list_directory', {'path': 'WORKDIR'}),
    ('filesystem_read_text_file', {'path': 'WORKDIR/a.txt'}),
    ('filesystem_read_text_file', {'path': '/etc/passwd'}),
]


async def drive(server):
    from openhands.core.config.mcp_config import MCPSSEServerConfig
    from openhands.events.action.mcp import MCPAction
    from openhands.mcp.utils import call_tool_mcp, create_mcp_clients

    r = httpx.post(server.url + '/update_mcp_server', json=configs(server.workdir), headers={'X-Session-API-Key': KEY}, timeout=60)
    out = {'update': [r.status_code, r.json()['detail']]}
    # What ActionExecutionClient.get_mcp_config adds once stdio servers exist.
    sse = [MCPSSEServerConfig(url=server.url.rstrip('/') + '/mcp/sse', api_key=KEY)]
    clients = []
    for _ in range(100):  # the reference starts its servers lazily: wait for every tool
        clients = await create_mcp_clients(sse, [], 'conv-1')
        names = sorted(t.name for c in clients for t in c.tools)
        if len(names) >= 33:
            break
        await asyncio.sleep(0.2)
    out['tools'] = names
    for name, args in CALLS:
        args = json.loads(json.dumps(args).replace('WORKDIR', str(server.workdir)))
        obs = await call_tool_mcp(clients, MCPAction(name=name, arguments=args))
        content = obs.content.replace(str(server.workdir), 'WORKDIR')
        out[f'{name} {json.dumps(args)}'.replace(str(server.workdir), 'WORKDIR')] = [type(obs).__name__, json.loads(content) if content.startswith('{') else content]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--binary', required=True, help='gohands server binary')
    a = ap.parse_args()
    results = {}
    for name, binary in (('reference', 'reference'), ('gohands', a.binary)):
        s = Server(binary)
        try:
            results[name] = asyncio.run(drive(s))
        finally:
            s.close()
    ref, ours = results['reference'], results['gohands']
    diffs = 0
    for k in ref:
        if ref[k] != ours.get(k):
            diffs += 1
            print(f'DIFF {k}:\n  reference: {json.dumps(ref[k])[:600]}\n  gohands:   {json.dumps(ours.get(k))[:600]}')
        else:
            print(f'same {k}')
    print(f'{len(ref)} checks, {diffs} differ')
    sys.exit(1 if diffs else 0)


if __name__ == '__main__':
    main()
