"""A real SSE client (stdlib) and a real WebSocket client (websockets) of gohands' event stream.

Usage: telemetry_client.py URL API_KEY

Opens both streams, runs one command through /execute_action, reads both streams until that
command's command_finished, checks what they saw, reconnects the SSE stream with ?after= and
checks the replay, and fetches the record from /commands/{id}. Prints OK on success.
"""
import http.client
import json
import queue
import sys
import threading
import urllib.parse
import urllib.request

from websockets.sync.client import connect

url, key = sys.argv[1], sys.argv[2]
u = urllib.parse.urlparse(url)
headers = {"X-Session-API-Key": key}


def sse(path, out, ready):
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    assert resp.status == 200, resp.status
    assert resp.getheader("Content-Type") == "text/event-stream"
    ready.set()
    ev = {}
    while True:
        line = resp.readline()
        if not line:
            return
        line = line.decode().rstrip("\n")
        if line == "":
            if "data" in ev:
                out.put(ev)
            ev = {}
        elif line.startswith(":"):
            continue
        else:
            k, _, v = line.partition(": ")
            ev[k] = v


def ws(out, ready):
    with connect(url.replace("http", "ws", 1) + "/events/ws", additional_headers=headers) as c:
        ready.set()
        while True:
            out.put(json.loads(c.recv(timeout=60)))


def until_finished(q, cid, label):
    got = []
    while True:
        e = q.get(timeout=60)
        if isinstance(e.get("data"), str):  # an SSE message, not a WebSocket event
            data = json.loads(e["data"])
            assert e["event"] == data["type"], e
            if data["seq"]:
                assert int(e["id"]) == data["seq"], e
            e = data
        got.append(e)
        if e["type"] == "command_finished" and (cid is None or e["command_id"] == cid):
            return got


def post(path, body):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(),
                                 headers={**headers, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def get(path):
    with urllib.request.urlopen(urllib.request.Request(url + path, headers=headers), timeout=60) as r:
        return json.loads(r.read())


sse_q, ws_q = queue.Queue(), queue.Queue()
r1, r2 = threading.Event(), threading.Event()
threading.Thread(target=sse, args=("/events", sse_q, r1), daemon=True).start()
threading.Thread(target=ws, args=(ws_q, r2), daemon=True).start()
assert r1.wait(30) and r2.wait(30)

obs = post("/execute_action", {"action": {"action": "run", "args": {
    "command": "printf 'alpha\\nbeta\\n' > e2e.txt; cat e2e.txt"}, "timeout": 30}})
assert obs["observation"] == "run" and "alpha" in obs["content"], obs
assert "telemetry" not in obs["extras"]["metadata"]  # only with --telemetry-metadata
cid = get("/commands?limit=1")["commands"][0]["id"]

for label, q in (("sse", sse_q), ("ws", ws_q)):
    evs = until_finished(q, cid, label)
    mine = [e for e in evs if e.get("command_id") == cid]
    seqs = [e["seq"] for e in evs]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), (label, seqs)
    types = [e["type"] for e in mine]
    assert types[0] == "command_started" and types[-1] == "command_finished", (label, types)
    text = "".join(e["data"]["text"] for e in mine if e["type"] == "output")
    assert "alpha\nbeta" in text, (label, text)
    changed = [e["data"]["path"] for e in mine if e["type"] == "file_changed"]
    assert any(p.endswith("/e2e.txt") for p in changed), (label, changed)
    fin = mine[-1]["data"]
    assert fin["exit_code"] == 0 and fin["files_changed"] == 1, (label, fin)
    if label == "sse":
        first = mine[0]["seq"]

# Reconnect after the first event: the rest comes again, from the ring buffer.
q3, r3 = queue.Queue(), threading.Event()
threading.Thread(target=sse, args=("/events?after=%d" % first, q3, r3), daemon=True).start()
assert r3.wait(30)
replay = until_finished(q3, cid, "replay")
assert replay[0]["seq"] == first + 1, replay[0]

rec = get("/commands/%d" % cid)
assert rec["exit_code"] == 0 and not rec["running"] and rec["files"]["total"] == 1, rec
print("OK")
