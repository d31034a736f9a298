"""Time the reference's browser stack (BrowserGym 0.13.3 on the same Chromium) as its
BrowserEnv.browser_process does per step: env.step(goto) + html2text + set-of-marks + PNG
encoding of both images. Usage: reference.py URL N"""
import base64
import io
import os
import statistics
import sys
import time

import gymnasium as gym
import html2text
import playwright.sync_api
from PIL import Image
import browsergym.core  # noqa: F401
from browsergym.utils.obs import flatten_axtree_to_str, flatten_dom_to_str, overlay_som

chromium = os.environ.get('GOHANDS_CHROMIUM', '/usr/bin/chromium')
_launch = playwright.sync_api.BrowserType.launch


def _launch_debian(self, *a, **kw):
    kw.setdefault('executable_path', chromium)
    return _launch(self, *a, **kw)


playwright.sync_api.BrowserType.launch = _launch_debian
url, n = sys.argv[1], int(sys.argv[2])


def png_url(arr):
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format='PNG')
    return 'data:image/png;base64,' + base64.b64encode(buf.getvalue()).decode()


h = html2text.HTML2Text()
h.ignore_links = False
h.ignore_images = True
h.images_to_alt = True
h.body_width = 0
t0 = time.time()
env = gym.make('browsergym/openended', task_kwargs={'start_url': 'about:blank', 'goal': 'x'},
               wait_for_user_message=False, headless=True, disable_env_checker=True,
               tags_to_mark='all', timeout=100000)
env.reset()


def step(action, axtree):
    obs, *_ = env.step(action)
    text = h.handle(flatten_dom_to_str(obs['dom_object']))
    png_url(overlay_som(obs['screenshot'], obs.get('extra_element_properties', {})))
    png_url(obs['screenshot'])
    if axtree:
        flatten_axtree_to_str(obs['axtree_object'], extra_properties=obs['extra_element_properties'],
                              with_clickable=True, skip_generic=False)
    return obs, text


obs, _ = step(f'goto("{url}")', False)
print(f'reference first browse (Chromium cold, incl. env start): {time.time() - t0:.3f}s')
warm = []
for _ in range(n):
    t = time.time()
    step(f'goto("{url}")', False)
    warm.append(time.time() - t)
q = statistics.quantiles(warm, n=20)
print(f'reference warm browse: p50 {statistics.median(warm)*1000:.1f}ms  p95 {q[18]*1000:.1f}ms  (n={n})')
ax = flatten_axtree_to_str(obs['axtree_object'], extra_properties=obs['extra_element_properties'])
bid = [l.split(']')[0].strip().strip('[') for l in ax.split('\n') if "button 'Count'" in l][0]
clicks = []
for _ in range(n):
    t = time.time()
    step(f'click("{bid}")', True)
    clicks.append(time.time() - t)
print(f'reference browse_interactive click: p50 {statistics.median(clicks)*1000:.1f}ms  (n={n})')
env.close()
