#!/usr/bin/env python3
"""Side-by-side figures for SWE-ReX servers, with the same real client (swe-rex 1.4.0's
RemoteRuntime): gohands' swerex-remote against the Python swerex-remote.

  start -> is_alive   time from spawning the server until GET /is_alive answers 200
  echo hi p50/p95     run_in_session(BashAction(command="echo hi")) round trips, in one session
  idle RSS            VmRSS of the server process, its anonymous part (RssAnon: what is not
                      the binary's or libraries' shared, file-backed pages), and VmRSS of its
                      whole process tree (bash included), with one idle session, after the runs

Run with the swe-rex venv's python (scripts/deps.d/50-swerex.sh):
  /opt/gohands/swerex-venv/bin/python bench/swerex/bench.py --gohands bin/action-execution-server
"""

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time

import requests

from swerex.runtime.abstract import BashAction, CreateBashSessionRequest
from swerex.runtime.remote import RemoteRuntime

TOKEN = "benchtoken"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def tree(pid):
    out = [pid]
    kids = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            kids += open(f"/proc/{pid}/task/{task}/children").read().split()
        except OSError:
            pass
    for k in kids:
        out += tree(int(k))
    return out


def start(argv, port):
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            r = requests.get(f"http://127.0.0.1:{port}/is_alive", headers={"X-API-Key": TOKEN}, timeout=1)
            if r.status_code == 200:
                return proc, time.perf_counter() - t0
        except requests.RequestException:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"{argv[0]} exited with {proc.returncode}")
        time.sleep(0.002)


async def measure(name, argv, port, n):
    proc, startup = start(argv, port)
    try:
        rt = RemoteRuntime(host="http://127.0.0.1", port=port, auth_token=TOKEN)
        await rt.create_session(CreateBashSessionRequest(session="bench", startup_timeout=10))
        for _ in range(5):  # warm-up
            await rt.run_in_session(BashAction(session="bench", command="echo hi", check="silent"))
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            r = await rt.run_in_session(BashAction(session="bench", command="echo hi", check="silent"))
            times.append(time.perf_counter() - t0)
            assert "hi" in r.output, r.output
        await asyncio.sleep(1.0)  # idle
        server = rss_kib(proc.pid)
        anon = rss_kib(proc.pid, "RssAnon")
        total = sum(rss_kib(p) for p in tree(proc.pid))
        times.sort()
        p50 = statistics.median(times) * 1000
        p95 = times[int(0.95 * (len(times) - 1))] * 1000
        return dict(name=name, startup_ms=startup * 1000, p50_ms=p50, p95_ms=p95, rss_kib=server, anon_kib=anon, tree_rss_kib=total)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gohands", required=True, help="the built action-execution-server binary")
    ap.add_argument("--python-server", default=os.path.join(os.path.dirname(sys.executable), "swerex-remote"))
    ap.add_argument("-n", type=int, default=200)
    args = ap.parse_args()
    rows = []
    for name, argv in [
        ("gohands", [args.gohands, "swerex-remote"]),
        ("python swe-rex 1.4.0", [args.python_server]),
    ]:
        port = free_port()
        argv = argv + ["--host", "127.0.0.1", "--port", str(port), "--auth-token", TOKEN]
        rows.append(asyncio.run(measure(name, argv, port, args.n)))
    print(f"{'server':22} {'start->is_alive':>16} {'echo hi p50':>12} {'p95':>9} {'idle RSS':>10} {'(anon)':>10} {'tree RSS':>10}")
    for r in rows:
        print(f"{r['name']:22} {r['startup_ms']:13.1f} ms {r['p50_ms']:9.2f} ms {r['p95_ms']:6.2f} ms "
              f"{r['rss_kib'] / 1024:7.1f} MiB {r['anon_kib'] / 1024:7.1f} MiB {r['tree_rss_kib'] / 1024:7.1f} MiB")
    g, p = rows
    print(f"p50 speed-up {p['p50_ms'] / g['p50_ms']:.0f}x; idle RSS {g['rss_kib'] / p['rss_kib']:.2f}, "
          f"anonymous RSS {g['anon_kib'] / p['anon_kib']:.2f}, whole tree {g['tree_rss_kib'] / p['tree_rss_kib']:.2f} "
          "of the Python server's")


if __name__ == "__main__":
    main()
