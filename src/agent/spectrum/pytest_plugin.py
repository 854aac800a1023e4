# cria's test spectrum for pytest: per line of the repository's code, how many failing and passing
# tests ran it (a function's first line stands for the call itself), and what the failing tests
# (the passing ones, when none fails) called each function with and what it gave back. Loaded
# with `-p cria_spectrum`.
import json, os, re, reprlib, sys, threading, time
import pytest

_root = os.path.realpath(os.getcwd()) + os.sep
_paths = {}
_seen = set()
_counts = {}
_failed = set()
_all_failed = 0

# Calls: the first few of each function in one test, kept when that test fails.
_CALLS = 3
_show = reprlib.Repr()
_show.maxstring = _show.maxother = 80
_show.maxlist = _show.maxtuple = _show.maxdict = _show.maxset = 6
_open = {}  # frame -> [key, arguments as text, the exception it is raising]
_made = {}  # key -> calls made in this test
_calls_now = []
_calls = {}  # key -> [[arguments, result], ...] from failing tests
_calls_passing = {}  # the same from passing tests
# Generators and coroutines return at every yield: their calls are not one call and one result.
_RESUMABLE = 0x20 | 0x80 | 0x100 | 0x200
# An object's own repr runs in full before it is shortened: past this many seconds spent on
# values, no more calls are written down (the spectrum matters more than they do).
_VALUE_SECONDS = 2.0
_value_seconds = 0.0

def _rel(filename):
    if filename not in _paths:
        rel = None
        if not filename.startswith("<"):
            path = os.path.realpath(filename)
            if path.startswith(_root) and "site-packages" not in path:
                rel = path[len(_root):]
        _paths[filename] = rel
    return _paths[filename]

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")

def _text(value):
    global _value_seconds
    start = time.perf_counter()
    try:
        return _ADDRESS.sub("", _show.repr(value))
    except Exception:
        return "<unprintable>"
    finally:
        _value_seconds += time.perf_counter() - start

def _arguments(frame):
    code = frame.f_code
    count = code.co_argcount + code.co_kwonlyargcount
    count += bool(code.co_flags & 0x04) + bool(code.co_flags & 0x08)
    names = code.co_varnames[:count]
    values = frame.f_locals
    return ", ".join(f"{n}={_text(values[n])}" for n in names if n in values)

def _lines(frame, event, arg):
    if event == "line":
        code = frame.f_code
        _seen.add((_paths[code.co_filename], code.co_name, frame.f_lineno))
        call = _open.get(frame)
        if call is not None:
            call[2] = None
    elif event == "exception":
        call = _open.get(frame)
        if call is not None:
            call[2] = arg[0].__name__
    elif event == "return":
        call = _open.pop(frame, None)
        if call is not None:
            key, args, raised = call
            result = f"raised {raised}" if raised else _text(arg)
            _calls_now.append((key, args, result))
    return _lines

def _tracer(frame, event, arg):
    if event == "call":
        code = frame.f_code
        rel = _rel(code.co_filename)
        if rel is not None:
            key = (rel, code.co_name, code.co_firstlineno)
            _seen.add(key)
            wanted = not code.co_flags & _RESUMABLE and not code.co_name.startswith("<")
            wanted = wanted and _value_seconds < _VALUE_SECONDS
            if wanted and _made.get(key, 0) < _CALLS:
                _made[key] = _made.get(key, 0) + 1
                _open[frame] = [key, _arguments(frame), None]
            return _lines
    return None

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    global _all_failed
    _seen.clear()
    _open.clear()
    _made.clear()
    _calls_now.clear()
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
        for key, args, result in _calls_now:
            kept = (_calls if failed else _calls_passing).setdefault(key, [])
            if len(kept) < _CALLS and [args, result] not in kept:
                kept.append([args, result])

def pytest_runtest_logreport(report):
    if report.failed:
        _failed.add(report.nodeid)

def pytest_terminal_summary(terminalreporter):
    lines = [[p, f, l, c[0], c[1]] for (p, f, l), c in sorted(_counts.items()) if c[0]]
    made = _calls if _all_failed else _calls_passing
    calls = [[p, f, a, r] for (p, f, _), kept in sorted(made.items()) for a, r in kept]
    out = {"failed": _all_failed, "lines": lines, "calls": calls}
    terminalreporter.write_line("@@CRIA-SPECTRUM@@" + json.dumps(out))
