# cria's test spectrum for pytest: per line of the repository's code, how many failing and passing
# tests ran it (a function's first line stands for the call itself). Loaded with `-p cria_spectrum`.
import json, os, sys, threading
import pytest

_root = os.path.realpath(os.getcwd()) + os.sep
_paths = {}
_seen = set()
_counts = {}
_failed = set()
_all_failed = 0

def _rel(filename):
    if filename not in _paths:
        rel = None
        if not filename.startswith("<"):
            path = os.path.realpath(filename)
            if path.startswith(_root) and "site-packages" not in path:
                rel = path[len(_root):]
        _paths[filename] = rel
    return _paths[filename]

def _lines(frame, event, arg):
    if event == "line":
        code = frame.f_code
        _seen.add((_paths[code.co_filename], code.co_name, frame.f_lineno))
    return _lines

def _tracer(frame, event, arg):
    if event == "call":
        code = frame.f_code
        rel = _rel(code.co_filename)
        if rel is not None:
            _seen.add((rel, code.co_name, code.co_firstlineno))
            return _lines
    return None

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    global _all_failed
    _seen.clear()
    sys.settrace(_tracer)
    threading.settrace(_tracer)
    try:
        yield
    finally:
        sys.settrace(None)
        threading.settrace(None)
        failed = item.nodeid in _failed
        _all_failed += failed
        for key in _seen:
            _counts.setdefault(key, [0, 0])[0 if failed else 1] += 1

def pytest_runtest_logreport(report):
    if report.failed:
        _failed.add(report.nodeid)

def pytest_terminal_summary(terminalreporter):
    lines = [[p, f, l, c[0], c[1]] for (p, f, l), c in sorted(_counts.items()) if c[0]]
    out = {"failed": _all_failed, "lines": lines}
    terminalreporter.write_line("@@CRIA-SPECTRUM@@" + json.dumps(out))
