"""Agent skills for the Jupyter kernel of gohands.

The same helpers, under the same names and with the same output, as OpenHands' agent_skills:
open_file, goto_line, scroll_down, scroll_up, search_dir, search_file, find_file and
file_editor. file_editor does not carry an editor of its own: it sends an `edit` action to the
action-execution server that started this kernel, so the kernel and the agent share one editor
(one undo history, one set of rules).
"""

import errno as _errno
import json as _json
import os as _os
import urllib.error as _urlerror
import urllib.request as _urlrequest
import uuid as _uuid

__all__ = [
    'open_file',
    'goto_line',
    'scroll_down',
    'scroll_up',
    'search_dir',
    'search_file',
    'find_file',
    'file_editor',
]

CURRENT_FILE = None
CURRENT_LINE = 1
WINDOW = 100


def _error(msg):
    print(f'ERROR: {msg}')


def _clamp(value, lo, hi):
    return max(lo, min(value, hi))


def _count_lines(path):
    with open(path) as f:
        return max(1, sum(1 for _ in f))


def _header(path, total):
    if not path:
        return ''
    return f'[File: {_os.path.abspath(path)} ({total} lines total)]\n'


def _window(path, target, window, from_top=False):
    """The numbered view of `window` lines around (or, from_top, from) line `target`."""
    global CURRENT_LINE
    if not path or not _os.path.isfile(path):
        return 'No file open. Use the open_file function first.'
    with open(path) as f:
        content = f.read()
    if not content.endswith('\n'):
        content += '\n'
    lines = content.splitlines(True)
    total = len(lines)
    CURRENT_LINE = _clamp(target, 1, total)
    half = max(1, window // 2)
    if from_top:
        start = max(1, CURRENT_LINE)
        end = min(total, CURRENT_LINE + window)
    else:
        start = max(1, CURRENT_LINE - half)
        end = min(total, CURRENT_LINE + half)
    if start == 1:
        end = min(total, start + window - 1)
    if end == total:
        start = max(1, end - window + 1)
    out = []
    out.append(f'({start - 1} more lines above)\n' if start > 1 else '(this is the beginning of the file)\n')
    for i in range(start, end + 1):
        line = f'{i}|{lines[i - 1]}'
        out.append(line if line.endswith('\n') else line + '\n')
    out.append(f'({total - end} more lines below)\n' if end < total else '(this is the end of the file)\n')
    return ''.join(out).rstrip()


def open_file(path, line_number=1, context_lines=WINDOW):
    """Opens a file and shows up to 100 lines around line_number (default 1).

    Use scroll_down and scroll_up to move through the rest of the file.
    """
    global CURRENT_FILE, CURRENT_LINE
    if not _os.path.isfile(path):
        _error(f'File {path} not found.')
        return
    CURRENT_FILE = _os.path.abspath(path)
    total = _count_lines(CURRENT_FILE)
    if not isinstance(line_number, int) or line_number < 1 or line_number > total:
        _error(f'Line number must be between 1 and {total}')
        return
    CURRENT_LINE = line_number
    if context_lines is None or context_lines < 1:
        context_lines = WINDOW
    out = _header(CURRENT_FILE, total)
    out += _window(CURRENT_FILE, CURRENT_LINE, _clamp(context_lines, 1, 100))
    if out.strip().endswith('more lines below)'):
        out += '\n[Use `scroll_down` to view the next 100 lines of the file!]'
    print(out)


def _need_file():
    if CURRENT_FILE is None or not _os.path.isfile(CURRENT_FILE):
        _error('No file open. Use the open_file function first.')
        return False
    return True


def goto_line(line_number):
    """Moves the window of the open file to show line_number."""
    global CURRENT_LINE
    if not _need_file():
        return
    total = _count_lines(CURRENT_FILE)
    if not isinstance(line_number, int) or line_number < 1 or line_number > total:
        _error(f'Line number must be between 1 and {total}.')
        return
    CURRENT_LINE = _clamp(line_number, 1, total)
    print(_header(CURRENT_FILE, total) + _window(CURRENT_FILE, CURRENT_LINE, WINDOW))


def scroll_down():
    """Moves the window of the open file down by 100 lines."""
    global CURRENT_LINE
    if not _need_file():
        return
    total = _count_lines(CURRENT_FILE)
    CURRENT_LINE = _clamp(CURRENT_LINE + WINDOW, 1, total)
    print(_header(CURRENT_FILE, total) + _window(CURRENT_FILE, CURRENT_LINE, WINDOW, from_top=True))


def scroll_up():
    """Moves the window of the open file up by 100 lines."""
    global CURRENT_LINE
    if not _need_file():
        return
    total = _count_lines(CURRENT_FILE)
    CURRENT_LINE = _clamp(CURRENT_LINE - WINDOW, 1, total)
    print(_header(CURRENT_FILE, total) + _window(CURRENT_FILE, CURRENT_LINE, WINDOW, from_top=True))


def search_dir(search_term, dir_path='./'):
    """Searches for search_term in every non-hidden file under dir_path."""
    if not _os.path.isdir(dir_path):
        _error(f'Directory {dir_path} not found')
        return
    matches = []
    for root, _dirs, files in _os.walk(dir_path):
        for name in files:
            if name.startswith('.'):
                continue
            p = _os.path.join(root, name)
            with open(p, 'r', errors='ignore') as f:
                for n, line in enumerate(f, 1):
                    if search_term in line:
                        matches.append((p, n, line.strip()))
    if not matches:
        print(f'No matches found for "{search_term}" in {dir_path}')
        return
    files = len({m[0] for m in matches})
    if files > 100:
        print(f'More than {files} files matched for "{search_term}" in {dir_path}. Please narrow your search.')
        return
    print(f'[Found {len(matches)} matches for "{search_term}" in {dir_path}]')
    for p, n, line in matches:
        print(f'{p} (Line {n}): {line}')
    print(f'[End of matches for "{search_term}" in {dir_path}]')


def search_file(search_term, file_path=None):
    """Searches for search_term in file_path, or in the open file."""
    if file_path is None:
        file_path = CURRENT_FILE
    if file_path is None:
        _error('No file specified or open. Use the open_file function first.')
        return
    if not _os.path.isfile(file_path):
        _error(f'File {file_path} not found.')
        return
    matches = []
    with open(file_path) as f:
        for n, line in enumerate(f, 1):
            if search_term in line:
                matches.append((n, line.strip()))
    if not matches:
        print(f'[No matches found for "{search_term}" in {file_path}]')
        return
    print(f'[Found {len(matches)} matches for "{search_term}" in {file_path}]')
    for n, line in matches:
        print(f'Line {n}: {line}')
    print(f'[End of matches for "{search_term}" in {file_path}]')


def find_file(file_name, dir_path='./'):
    """Finds the files under dir_path whose name contains file_name."""
    if not _os.path.isdir(dir_path):
        _error(f'Directory {dir_path} not found')
        return
    matches = []
    for root, _dirs, files in _os.walk(dir_path):
        for name in files:
            if file_name in name:
                matches.append(_os.path.join(root, name))
    if not matches:
        print(f'[No matches found for "{file_name}" in {dir_path}]')
        return
    print(f'[Found {len(matches)} matches for "{file_name}" in {dir_path}]')
    for m in matches:
        print(m)
    print(f'[End of matches for "{file_name}" in {dir_path}]')


# --- file_editor: the server's editor, reached over its own HTTP API -----------------------


def _read(path):
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            return f.read()
    except OSError:
        return None


def _check_access(command, path):
    """Raise the PermissionError the reference's in-kernel editor raises for this user.

    The server may run as another user than this kernel; checking here keeps the kernel's
    permissions the ones that count, as in the reference.
    """
    if not _os.path.isabs(path):
        return
    try:
        _os.stat(path)
    except FileNotFoundError:
        if command == 'create':
            parent = _os.path.dirname(path) or '/'
            while parent != '/' and not _os.path.exists(parent):
                parent = _os.path.dirname(parent)
            if not _os.access(parent, _os.W_OK | _os.X_OK):
                raise PermissionError(_errno.EACCES, 'Permission denied', path)
        return
    if _os.path.isdir(path):
        if not _os.access(path, _os.R_OK | _os.X_OK):
            raise PermissionError(_errno.EACCES, 'Permission denied', path)
        return
    if command == 'view':
        open(path, 'rb').close()
    elif command in ('str_replace', 'insert', 'undo_edit'):
        open(path, 'r+b').close()


def _call_server(args):
    url = _os.environ.get('GOHANDS_ACTION_SERVER_URL', '').rstrip('/')
    if not url:
        raise RuntimeError('file_editor: GOHANDS_ACTION_SERVER_URL is not set in the kernel')
    # The reference's in-kernel editor runs as the kernel's user: ask the server to give the
    # files it creates to the sandbox user.
    body = _json.dumps({'action': {'action': 'edit', 'args': dict(args, gohands_as_sandbox_user=True)}}).encode()
    req = _urlrequest.Request(url + '/execute_action', data=body, method='POST',
                              headers={'Content-Type': 'application/json'})
    key = _os.environ.get('GOHANDS_SESSION_API_KEY')
    if key:
        req.add_header('X-Session-API-Key', key)
    try:
        with _urlrequest.urlopen(req, timeout=600) as resp:
            return _json.loads(resp.read().decode())
    except _urlerror.HTTPError as e:
        detail = e.read().decode(errors='replace')
        try:
            detail = _json.loads(detail).get('detail', detail)
        except ValueError:
            pass
        raise RuntimeError(f'file_editor: the server answered {e.code}: {detail}') from None


def _wrap(fields, formatted):
    # The reference builds this by hand: no space after the commas between fields, one before
    # formatted_output_and_error.
    body = '{' + ','.join(f'"{k}": {_json.dumps(v)}' for k, v in fields)
    body += f', "formatted_output_and_error": {_json.dumps(formatted)}' + '}'
    marker = _uuid.uuid4().hex
    return f'<oh_aci_output_{marker}>\n{body}\n</oh_aci_output_{marker}>'


def file_editor(command, path, file_text=None, view_range=None, old_str=None, new_str=None,
                insert_line=None, enable_linting=False, encoding='utf-8'):
    """The str_replace_editor: view, create, str_replace, insert, undo_edit.

    Returns the editor's result wrapped in <oh_aci_output_...> tags, as OpenHands' does.
    """
    _check_access(command, path)
    before = _read(path) if command in ('str_replace', 'insert', 'undo_edit') else None
    args = {'command': command, 'path': path, 'impl_source': 'oh_aci'}
    for k, v in (('file_text', file_text), ('old_str', old_str), ('new_str', new_str),
                 ('insert_line', insert_line), ('view_range', view_range)):
        if v is not None:
            args[k] = v
    obs = _call_server(args)
    content = obs.get('content', '')
    if obs.get('observation') == 'error' or content.startswith('ERROR:\n'):
        error = content[len('ERROR:\n'):] if content.startswith('ERROR:\n') else content
        return _wrap([('output', None), ('error', error)], 'ERROR:\n' + error)
    extras = obs.get('extras', {})
    old, new = None, None
    if command == 'create':
        new = file_text
    elif command in ('str_replace', 'insert', 'undo_edit'):
        old, new = before, _read(path)
    error = '' if command == 'view' and _os.path.isdir(path) else None
    fields = [('output', content), ('error', error), ('path', extras.get('path', path)),
              ('prev_exist', command != 'create'), ('old_content', old), ('new_content', new)]
    return _wrap(fields, content)
