"""Real Python MCP clients against gohands' MCP proxy (run by test/e2e/mcp_test.go).

The clients are the ones the OpenHands backend uses: the `mcp` SDK's sse_client +
ClientSession and its Streamable HTTP client, and fastmcp.Client with SSETransport and the
headers openhands/mcp/client.py sends. Each scenario asserts and prints "OK <name>" per check;
any failure raises (non-zero exit).

    python mcp_clients.py URL KEY SCENARIO [ARGS...]
"""

import asyncio
import json
import sys

import httpx
from mcp import ClientSession, types
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamablehttp_client

URL, KEY, SCENARIO, *ARGS = sys.argv[1:]
# What openhands/mcp/client.py sends to the runtime's MCP server.
HEADERS = {'Authorization': f'Bearer {KEY}', 's': KEY, 'X-Session-API-Key': KEY}


def ok(name):
    print('OK', name, flush=True)


def text_of(res):
    return '\n'.join(c.text for c in res.content if c.type == 'text')


async def check_three(session, workdir, label):
    """The three real servers behind one proxy: prefixed names, each call reaches its server."""
    names = [t.name for t in (await session.list_tools()).tools]
    for want in ('time_get_current_time', 'filesystem_list_directory', 'everything_echo'):
        assert want in names, (label, want, names)
    ok(f'{label} list_tools')
    res = await session.call_tool('time_get_current_time', {'timezone': 'UTC'})
    assert not res.isError and json.loads(text_of(res))['timezone'] == 'UTC', res
    ok(f'{label} time')
    res = await session.call_tool('filesystem_list_directory', {'path': workdir})
    assert not res.isError and '[FILE] hello.txt' in text_of(res), res
    ok(f'{label} filesystem')
    res = await session.call_tool('everything_echo', {'message': 'hi'})
    assert text_of(res) == 'Echo: hi', res
    ok(f'{label} everything echo')
    res = await session.call_tool('everything_get-tiny-image', {})
    assert any(c.type == 'image' and c.mimeType == 'image/png' and c.data for c in res.content), res
    ok(f'{label} image content')
    res = await session.call_tool('everything_get-structured-content', {'location': 'New York'})
    assert res.structuredContent and 'temperature' in res.structuredContent, res
    ok(f'{label} structured content')
    res = await session.call_tool('nope', {})
    assert res.isError and text_of(res) == 'Unknown tool: nope', res
    ok(f'{label} unknown tool')


async def scenario_clients():
    workdir = ARGS[0]
    async with sse_client(URL + '/mcp/sse', headers=HEADERS) as (r, w):
        async with ClientSession(r, w) as s:
            init = await s.initialize()
            assert init.capabilities.tools is not None, init
            await check_three(s, workdir, 'sse')
            # Concurrent calls on one session, on two servers.
            calls = [s.call_tool('everything_echo', {'message': f'm{i}'}) for i in range(20)]
            calls += [s.call_tool('time_get_current_time', {'timezone': 'Europe/Paris'}) for _ in range(10)]
            results = await asyncio.gather(*calls)
            assert [text_of(x) for x in results[:20]] == [f'Echo: m{i}' for i in range(20)], results[:20]
            assert all('Europe/Paris' in text_of(x) for x in results[20:]), results[20:]
            ok('sse concurrent calls')
            res = await s.list_resources()
            assert any(str(x.uri).startswith('demo://everything/') for x in res.resources), res
            rd = await s.read_resource(res.resources[0].uri)
            assert rd.contents, rd
            pr = await s.list_prompts()
            assert 'everything_simple-prompt' in [p.name for p in pr.prompts], pr
            ok('sse resources and prompts')
    async with streamablehttp_client(URL + '/mcp', headers=HEADERS) as (r, w, _):
        async with ClientSession(r, w) as s:
            await s.initialize()
            await check_three(s, workdir, 'streamable')

    # fastmcp.Client over SSETransport, as OpenHands' MCPClient.connect_http does.
    from fastmcp import Client
    from fastmcp.client.transports import SSETransport

    client = Client(SSETransport(url=URL + '/mcp/sse', headers=HEADERS), timeout=30)
    async with client:
        tools = await client.list_tools()
        assert 'everything_echo' in [t.name for t in tools], tools
        res = await client.call_tool_mcp(name='everything_echo', arguments={'message': 'fast'})
        assert text_of(res) == 'Echo: fast' and not res.isError, res
    ok('fastmcp SSETransport')

    # Several sessions at once.
    async def one(i):
        async with sse_client(URL + '/sse', headers=HEADERS) as (r, w):
            async with ClientSession(r, w) as s:
                await s.initialize()
                return text_of(await s.call_tool('everything_echo', {'message': str(i)}))

    got = await asyncio.gather(*[one(i) for i in range(8)])
    assert got == [f'Echo: {i}' for i in range(8)], got
    ok('parallel sessions at /sse')

    # Without the Bearer token the proxy refuses (401), as the reference's.
    async with httpx.AsyncClient() as h:
        r = await h.get(URL + '/mcp/sse', headers={'X-Session-API-Key': KEY, 's': KEY})
        assert r.status_code == 401 and r.json()['error'] == 'invalid_token', (r.status_code, r.text)
    ok('bearer required')


async def scenario_update():
    """Update the server list while a client is connected: it hears tools/list_changed and
    its session goes on with the new tools."""
    body = json.loads(ARGS[0])
    changed = asyncio.Event()

    async def on_message(msg):
        if isinstance(msg, types.ServerNotification) and isinstance(msg.root, types.ToolListChangedNotification):
            changed.set()

    async with sse_client(URL + '/mcp/sse', headers=HEADERS) as (r, w):
        async with ClientSession(r, w, message_handler=on_message) as s:
            await s.initialize()
            before = [t.name for t in (await s.list_tools()).tools]
            async with httpx.AsyncClient(timeout=60) as h:
                resp = await h.post(URL + '/update_mcp_server', json=body, headers={'X-Session-API-Key': KEY})
                assert resp.status_code == 200 and resp.json() == {
                    'detail': 'MCP server updated successfully', 'router_error_log': ''}, resp.text
            await asyncio.wait_for(changed.wait(), 10)
            ok('list_changed heard')
            after = [t.name for t in (await s.list_tools()).tools]
            assert after != before and 'get_current_time' in after, (before, after)
            res = await s.call_tool('get_current_time', {'timezone': 'UTC'})
            assert not res.isError and 'UTC' in text_of(res), res
            ok('same session, new tools')


async def scenario_call():
    """Call one tool over SSE as OpenHands does (fastmcp.Client) and print the result JSON."""
    from fastmcp import Client
    from fastmcp.client.transports import SSETransport

    name, args = ARGS[0], json.loads(ARGS[1])
    client = Client(SSETransport(url=URL + '/mcp/sse', headers=HEADERS), timeout=30)
    async with client:
        tools = [t.name for t in await client.list_tools()]
        assert name in tools, (name, tools)
        res = await client.call_tool_mcp(name=name, arguments=args)
    print('RESULT', json.dumps(res.model_dump(mode='json')), flush=True)


asyncio.run({'clients': scenario_clients, 'update': scenario_update, 'call': scenario_call}[SCENARIO]())
