"""Record the reference server's answers to malformed and edge-case /execute_action bodies.

The result is executor/testdata/reference_execute_action.json, which executor/http_test.go
replays in-process against gohands and compares byte for byte. Start the reference's own
server first (openhands-ai 0.62.0, e.g. from scripts/compat-check.sh's venv):

    python -m openhands.runtime.action_execution_server PORT --working-dir DIR \
        --username root --user-id 0 --no-enable-browser

then: python test/compat/record_execute_action.py http://127.0.0.1:PORT DIR OUT.json
(DIR is written as {{WORKDIR}} in the file). Answers that depend on the machine (hostname,
interpreter path, user) are normalised by the Go test, not here.
"""
import json
import sys

import httpx

TYPES = ['null', 'run', 'run_ipython', 'browse', 'browse_interactive', 'read', 'write', 'edit',
         'think', 'finish', 'reject', 'delegate', 'recall', 'change_agent_state', 'message',
         'system', 'condensation', 'condensation_request', 'call_tool_mcp', 'task_tracking',
         'loop_recovery']

cases = [
 'not json', '', '[]', '{}', '{"action": "run"}', '{"action": null}', '{"action": [1]}', '"x"', '{"action": 1}',
 '{"action": {"action":"run","args":{"command":"true"}}, "extra": 1}',
 '{"action": {"observation": "run"}}', '{"action": {"foo": 1, "bar": [true, null]}}',
 '{"action": {"action": "fly"}}', '{"action": {"action": 7}}', '{"action": {"action": null}}', '{"action": {"action": ["run"]}}',
 '{"action": {"action": "start"}}', '{"action": {"action": "mcp"}}',
]
for t in TYPES:
    cases.append(json.dumps({"action": {"action": t, "args": {}}}))
    cases.append(json.dumps({"action": {"action": t}}))
    cases.append(json.dumps({"action": {"action": t, "args": {"bogus": 1, "path": "p"}}}))
cases += [
 '{"action": {"action": "write", "args": {"path": "/x"}, "timeout": 5, "id": 3, "source": "agent", "message": "m"}}',
 '{"action": {"action": "run", "args": null}}', '{"action": {"action": "run", "args": [1]}}', '{"action": {"action": "run", "args": "s"}}', '{"action": {"action": "run", "args": 1.5}}', '{"action": {"action": "run", "args": true}}',
 '{"action": {"action": "think", "args": {"security_risk": 0}}}',
 '{"action": {"action": "think", "args": {"security_risk": true}}}',
 '{"action": {"action": "think", "args": {"security_risk": 2.0}}}',
 '{"action": {"action": "think", "args": {"security_risk": "high"}}}',
 '{"action": {"action": "think", "args": {"security_risk": null}}}',
 '{"action": {"action": "run", "args": {"security_risk": 7, "is_confirmed": "confirmed", "timestamp": "t", "keep_prompt": false, "task_completed": true, "images_urls": []}}}',
 '{"action": {"action": "message", "args": {"image_urls": [1], "is_confirmed": null, "images_urls": ["a"]}}}',
 '{"action": {"action": "read", "args": {"translated_ipython_code": "print(file_editor(**{\'command\': \'view\', \'path\': \'/tmp/x\', \'zz\': 1}))"}}}',
 '{"action": {"action": "read", "args": {"translated_ipython_code": "print(file_editor(**{\'command\': \'view\'}))"}}}',
 '{"action": {"action": "read", "args": {"translated_ipython_code": "print(file_editor(**{broken))"}}}',
 '{"action": {"action": "read", "args": {"translated_ipython_code": 5}}}',
 '{"action": {"action": "read", "args": {"translated_ipython_code": null, "command": "view"}}}',
 '{"action": {"action": "condensation", "args": {"forgotten_event_ids": [1]}}}',
 '{"action": {"action": "condensation", "args": {"forgotten_event_ids": [1], "summary": "s"}}}',
 '{"action": {"action": "think", "source": "robot"}}',
 '{"action": {"action": "think", "source": null}}',
 '{"action": {"action": "think", "source": "user"}}',
 '{"action": {"action": "think", "args": {"action": "fly"}}}',
 '{"action": {"action": "think", "args": {"action": 5}}}',
 '{"action": {"action": "think", "args": {"action": "run"}}}',
 '{"action": {"action": "think", "args": {"action": "read"}}}',
 '{"action": {"action": "think", "args": {"action": "write"}}}',
 '{"action": {"action": "think", "args": {"action": "edit"}}}',
 '{"action": {"action": "think", "args": {"action": "browse"}}}',
 '{"action": {"action": "run", "args": {"command": 5}}}',
 '{"action": {"action": "run", "args": {"command": null}}}',
 '{"action": {"action": "run", "args": {"command": ["ls"]}}}',
 '{"action": {"action": "write", "args": {"path": "hh-probe-a.txt", "content": 5}}}',
 '{"action": {"action": "write", "args": {"path": null, "content": "x"}}}',
 '{"action": {"action": "read", "args": {"path": null}}}',
 '{"action": {"action": "read", "args": {"path": ["a"]}}}',
 '{"action": {"action": "run", "args": {"command": "echo t"}, "timeout": "5"}}',
 '{"action": {"action": "run", "args": {"command": "echo t", "is_input": "", "blocking": "yes", "hidden": 0}}}',
 '{"action": {"action": "run", "args": {"command": "echo \\u00e9\\u00a0", "unknown": 1}}}',
 '{"action": {"action": "browse", "args": {"url": "http://x"}}}',
 '{"action": {"action": "run_ipython", "args": {"code": "1"}}}',
 '{"action": {"action": "run", "args": {"command": "true"}, "timeout": 1e400}}',
 '{"action": {"action": "run", "args": {"command": "true"}}',
 '{"action": {"action": "run", "args": {"command": "true"},}}',
 '{"action": {"action": "run", "args": {"command": "tr\\ue"}}}',
 '  ',
]
# (body, Content-Type): FastAPI parses JSON only without a Content-Type or with a JSON one.
typed_cases = [
 ('{"action": {"action": "think"}}', 'text/plain'),
 ('{"action": {"action": "think"}}', 'application/vnd.x+json; charset=utf-8'),
 ('{"action": {"action": "think"}}', None),
 (b'{"action": {"action": "run", "args": {"command": "\xff"}}}', 'application/json'),
]


def main() -> None:
    url, workdir, out = sys.argv[1], sys.argv[2], sys.argv[3]
    rows = []
    for body, ctype in [(c, 'application/json') for c in cases] + typed_cases:
        raw = body if isinstance(body, bytes) else body.encode()
        r = httpx.post(url + '/execute_action', content=raw,
                       headers={'Content-Type': ctype} if ctype else {}, timeout=30)
        rows.append({'request': raw.decode('latin-1'), 'content_type': ctype, 'status': r.status_code,
                     'body': r.text.replace(workdir, '{{WORKDIR}}')})
    with open(out, 'w') as f:
        json.dump(rows, f, indent=1, ensure_ascii=False)
        f.write('\n')


if __name__ == '__main__':
    main()
