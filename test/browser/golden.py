"""Regenerate the browser goldens with BrowserGym 0.13.3 itself (see test/browser/README.md).

For every page in test/browser/pages/ it runs the reference's BrowserGym environment
(browsergym/openended, tags_to_mark='all') on Debian's Chromium, goto()s the page served
from a local HTTP server, and writes:
  browser/testdata/golden/<page>.axtree  flatten_axtree_to_str(with_clickable=True, skip_generic=False)
  browser/testdata/golden/<page>.md      html2text(flatten_dom_to_str(dom)) with the reference's settings
"""
import functools
import http.server
import os
import sys
import threading

import gymnasium as gym
import playwright.sync_api
import html2text
import browsergym.core  # noqa: F401  (registers browsergym/openended)
from browsergym.utils.obs import flatten_axtree_to_str, flatten_dom_to_str

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
pages = os.path.join(root, 'test', 'browser', 'pages')
out = os.path.join(root, 'browser', 'testdata', 'golden')
chromium = os.environ.get('GOHANDS_CHROMIUM', '/usr/bin/chromium')


def converter():
    # the reference's BrowserEnv.get_html_text_converter
    h = html2text.HTML2Text()
    h.ignore_links = False
    h.ignore_images = True
    h.images_to_alt = True
    h.body_width = 0
    return h


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


# BrowserGym also launches a second browser for its chat window, without our kwargs: make
# every launch use Debian's Chromium (Playwright's own browser download is not needed).
_launch = playwright.sync_api.BrowserType.launch


def _launch_debian(self, *a, **kw):
    kw.setdefault('executable_path', chromium)
    return _launch(self, *a, **kw)


playwright.sync_api.BrowserType.launch = _launch_debian

srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Quiet, directory=pages))
threading.Thread(target=srv.serve_forever, daemon=True).start()
base = f'http://127.0.0.1:{srv.server_address[1]}'

env = gym.make(
    'browsergym/openended',
    task_kwargs={'start_url': 'about:blank', 'goal': 'PLACEHOLDER_GOAL'},
    wait_for_user_message=False,
    headless=True,
    disable_env_checker=True,
    tags_to_mark='all',
    timeout=100000,
    pw_chromium_kwargs={'executable_path': chromium},
)
env.reset()
os.makedirs(out, exist_ok=True)
names = sys.argv[1:] or sorted(n for n in os.listdir(pages) if n.endswith('.html'))
for name in names:
    obs, *_ = env.step(f'goto("{base}/{name}")')
    stem = name[:-5]
    ax = flatten_axtree_to_str(obs['axtree_object'], extra_properties=obs['extra_element_properties'],
                               with_clickable=True, skip_generic=False)
    md = converter().handle(flatten_dom_to_str(obs['dom_object']))
    with open(os.path.join(out, stem + '.axtree'), 'w') as f:
        f.write(ax.replace(base, 'http://PAGES'))
    with open(os.path.join(out, stem + '.md'), 'w') as f:
        f.write(md.replace(base, 'http://PAGES'))
    print(stem, 'error:', obs['last_action_error'] or '-')
env.close()
srv.shutdown()
