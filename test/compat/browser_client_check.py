"""Check gohands' browser observations with the REAL openhands-ai 0.62 client code: actions
are serialized by its event_to_dict, responses parsed by its observation_from_dict, and the
observations round-trip (event_to_dict(observation_from_dict(raw)) == raw's keys and values).

    python3.12 -m venv /tmp/gh-oh-venv && /tmp/gh-oh-venv/bin/pip install openhands-ai==0.62.0
    go build -o bin/action-execution-server ./cmd/action-execution-server
    /tmp/gh-oh-venv/bin/python test/compat/browser_client_check.py bin/action-execution-server
"""
import functools
import http.server
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from openhands.events.action import BrowseInteractiveAction, BrowseURLAction
from openhands.events.observation import BrowserOutputObservation, ErrorObservation, FileDownloadObservation
from openhands.events.serialization import event_to_dict, observation_from_dict

binary = sys.argv[1]
work = tempfile.mkdtemp(prefix='gh-browser-compat-')
pages = tempfile.mkdtemp(prefix='gh-browser-pages-')
with open(os.path.join(pages, 'index.html'), 'w') as f:
    f.write('<html><head><title>Hi</title></head><body><h1>Hello</h1><button>Press</button></body></html>')
with open(os.path.join(pages, 'file.bin'), 'wb') as f:
    f.write(b'%PDF-1.4\n%%EOF\n')


class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def end_headers(self):
        if self.path.endswith('.bin'):
            self.send_header('Content-Disposition', 'attachment; filename="file.bin"')
        super().end_headers()


httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(H, directory=pages))
threading.Thread(target=httpd.serve_forever, daemon=True).start()
base = f'http://127.0.0.1:{httpd.server_address[1]}'

s = socket.socket()
s.bind(('127.0.0.1', 0))
port = s.getsockname()[1]
s.close()
env = dict(os.environ, GOHANDS_SERVER_URL_FILE=os.path.join(work, 'url'))
proc = subprocess.Popen([binary, str(port), '--working-dir', work, '--username', 'root', '--user-id', '0',
                         '--enable-browser'], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(600):
        try:
            urllib.request.urlopen(f'http://127.0.0.1:{port}/alive')
            break
        except Exception:
            time.sleep(0.05)

    def run(action):
        action.set_hard_timeout(60)
        body = json.dumps({'action': event_to_dict(action)}).encode()
        req = urllib.request.Request(f'http://127.0.0.1:{port}/execute_action', body,
                                     {'Content-Type': 'application/json'})
        raw = json.loads(urllib.request.urlopen(req).read())
        obs = observation_from_dict(dict(raw))
        again = event_to_dict(obs)
        for k in ('observation', 'content', 'message'):
            assert again[k] == raw[k], (k, again[k], raw[k])
        assert again['extras'] == raw['extras'], (again['extras'].keys(), raw['extras'].keys())
        return obs

    o = run(BrowseURLAction(url=base + '/index.html'))
    assert isinstance(o, BrowserOutputObservation) and not o.error and '#  Hello' in o.content, o
    assert o.open_pages_urls == [base + '/index.html'] and o.active_page_index == 0
    assert o.last_browser_action == f'goto("{base}/index.html")'
    o = run(BrowseInteractiveAction(browser_actions=f'goto("{base}/index.html")', return_axtree=True))
    assert isinstance(o, BrowserOutputObservation) and "button 'Press'" in o.content and o.axtree_object['nodes']
    o = run(BrowseInteractiveAction(browser_actions='click("999")'))
    assert o.error and o.last_browser_action_error.startswith('ValueError: Could not find element with bid "999"')
    o = run(BrowseInteractiveAction(browser_actions=f'goto("{base}/file.bin")'))
    assert isinstance(o, FileDownloadObservation) and o.file_path == os.path.join(work, 'file_1.pdf'), o
    print('browser observations parse and round-trip with openhands-ai 0.62: ok')
finally:
    proc.terminate()
    proc.wait(10)
    httpd.shutdown()

# and with the browser off
proc = subprocess.Popen([binary, str(port), '--working-dir', work, '--username', 'root', '--user-id', '0',
                         '--no-enable-browser'], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(600):
        try:
            urllib.request.urlopen(f'http://127.0.0.1:{port}/alive')
            break
        except Exception:
            time.sleep(0.05)
    a = BrowseURLAction(url='http://127.0.0.1:1')
    a.set_hard_timeout(30)
    raw = json.loads(urllib.request.urlopen(urllib.request.Request(
        f'http://127.0.0.1:{port}/execute_action', json.dumps({'action': event_to_dict(a)}).encode(),
        {'Content-Type': 'application/json'})).read())
    assert isinstance(observation_from_dict(raw), ErrorObservation)
    print('disabled browser: ok')
finally:
    proc.terminate()
    proc.wait(10)
