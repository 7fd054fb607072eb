"""Frame extraction: traceback frames with bounded locals, faulthandler dumps, call sites.

Frames are reported outermost first, innermost last, starting at the first frame of user
code: the leading frames of multiprocessing, concurrent.futures, threading and the tracer
itself (pool/executor/process internals) are dropped.
"""

import functools
import os
import sys
from types import FrameType, TracebackType

from .channel import swallowed

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any, Dict, List, Optional, Tuple

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _stdlib_dirs() -> "Tuple[str, ...]":
    import sysconfig  # slow-ish: only when a failure is being described
    dirs = set()
    for key in ("stdlib", "platstdlib"):
        try:
            path = sysconfig.get_paths().get(key)
        except Exception:
            path = None
            swallowed()
        if path:
            dirs.add(os.path.realpath(path))
    return tuple(dirs)


_STDLIB: "Optional[Tuple[str, ...]]" = None
_INTERNAL_TAILS = (
    os.sep + "multiprocessing" + os.sep,
    os.sep + "concurrent" + os.sep + "futures" + os.sep,
    os.sep + "threading.py",
    os.sep + "runpy.py",
)
_internal_cache: "Dict[str, bool]" = {}
_user_cache: "Dict[str, bool]" = {}


def is_internal(filename: str) -> bool:
    """True for pool/executor/process/thread machinery and the tracer's own files."""
    hit = _internal_cache.get(filename)
    if hit is None:
        hit = (filename.startswith("<") or filename.startswith(_PACKAGE_DIR)
               or any(tail in filename for tail in _INTERNAL_TAILS))
        _internal_cache[filename] = hit
    return hit


def is_tracer_file(filename: str) -> bool:
    return filename.startswith(_PACKAGE_DIR)


def hide_tracer_frames(exc: "Optional[BaseException]") -> None:
    """Unlinks the tracer's wrappers from the traceback of an exception that is about to be
    printed as uncaught (by a dying child, a thread, the main thread), so that the text is the
    one CPython would print without the tracer."""
    seen = 0
    while exc is not None and seen < 8:
        tb = exc.__traceback__
        while tb is not None:
            following = tb.tb_next
            while following is not None and is_tracer_file(following.tb_frame.f_code.co_filename):
                following = following.tb_next
            if following is not tb.tb_next:
                tb.tb_next = following
            tb = following
        exc = exc.__cause__ or exc.__context__
        seen += 1


def is_user(filename: str) -> bool:
    """True for the user's own code: not the stdlib, not site-packages, not the tracer."""
    global _STDLIB
    hit = _user_cache.get(filename)
    if hit is None:
        if _STDLIB is None:
            _STDLIB = _stdlib_dirs()
        real = os.path.realpath(filename) if not filename.startswith("<") else filename
        hit = not (filename.startswith("<") or real.startswith(_PACKAGE_DIR)
                   or "site-packages" in real or "dist-packages" in real
                   or any(real.startswith(d + os.sep) for d in _STDLIB))
        _user_cache[filename] = hit
    return hit


def frame_record(frame: "FrameType", lineno: int, with_locals: bool = True) -> "Dict[str, Any]":
    code = frame.f_code
    rec: "Dict[str, Any]" = {"file": absolute(code.co_filename), "line": lineno,
                           "function": code.co_name}
    if with_locals:
        from .safe_repr import repr_locals
        try:
            rec["locals"] = repr_locals(frame.f_locals)
        except Exception:
            rec["locals"] = {}
            swallowed()
    else:
        rec["locals"] = {}
    rec["user"] = is_user(code.co_filename)
    return rec


def frames_from_traceback(tb: "Optional[TracebackType]", with_locals: bool = True
                          ) -> "Tuple[List[Dict[str, Any]], List[FrameType]]":
    """Records and the live frame objects (same order) from the first non-internal frame."""
    entries: "List[Tuple[FrameType, int]]" = []
    while tb is not None:
        if not is_tracer_file(tb.tb_frame.f_code.co_filename):  # a wrapper of ours: not shown
            entries.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    start = 0
    while start < len(entries) and is_internal(entries[start][0].f_code.co_filename):
        start += 1
    if start == len(entries):
        start = 0  # everything internal: keep it all rather than nothing
    kept = entries[start:]
    return [frame_record(f, n, with_locals) for f, n in kept], [f for f, _ in kept]


_PROCESS_FILE = os.sep + "multiprocessing" + os.sep + "process.py"


def frames_from_stack(frame: "Optional[FrameType]") -> "List[Dict[str, Any]]":
    """Records of a live stack ending at ``frame``, outermost first, from the first
    non-internal frame; a child's stack is cut at its ``Process._bootstrap`` (a forked child
    still holds its parent's frames below it)."""
    return stack_frames(frame)[0]


def stack_frames(frame: "Optional[FrameType]"
                 ) -> "Tuple[List[Dict[str, Any]], List[FrameType]]":
    """``frames_from_stack``'s records and the live frame objects they describe, in the same
    order (a paused thread's ``evaluate`` indexes the frames by the records' positions)."""
    stack: "List[FrameType]" = []
    while frame is not None:
        code = frame.f_code
        if code.co_name == "_bootstrap" and code.co_filename.endswith(_PROCESS_FILE):
            break
        stack.append(frame)
        frame = frame.f_back
    stack.reverse()
    start = 0
    while start < len(stack) and is_internal(stack[start].f_code.co_filename):
        start += 1
    if start == len(stack):
        start = 0
    kept = stack[start:]
    return [frame_record(f, f.f_lineno) for f in kept], kept
_FAULT_LINE = r'^\s+File "(.*)", line (\d+) in (.*)$'


def _dump_sections(text: str) -> "Tuple[List[List[Dict[str, Any]]], Optional[int]]":
    """The threads of a faulthandler dump (each innermost frame first, as printed) and which
    of them is the current one (the thread the signal was handled on)."""
    import re
    pattern = re.compile(_FAULT_LINE)
    section: "List[Dict[str, Any]]" = []
    sections: "List[List[Dict[str, Any]]]" = []
    current_first: "Optional[int]" = None
    for line in text.splitlines():
        if line.startswith("Current thread") or line.startswith("Thread 0x") \
                or line.startswith("Stack (most recent call first)"):
            if line.startswith("Current thread") or line.startswith("Stack"):
                current_first = len(sections)
            section = []
            sections.append(section)
            continue
        m = pattern.match(line)
        if m and sections:
            name = m.group(1)
            if not name.startswith(("<", "?")):
                name = absolute(name)  # 3.8 runs the main script by its relative path
            section.append({"file": name, "line": int(m.group(2)),
                            "function": m.group(3).strip(), "locals": {},
                            "user": is_user(name)})
    return sections, current_first


def _own_frames(chosen: "List[Dict[str, Any]]") -> "List[Dict[str, Any]]":
    """Outermost first, from the first frame of user code in this process."""
    chosen = list(reversed(chosen))
    # A forked process's stack still holds its parent's frames down to the fork: the
    # process's own frames begin after the last Process._bootstrap.
    start = 0
    for i, rec in enumerate(chosen):
        if rec["function"] == "_bootstrap" and rec["file"].endswith(_PROCESS_FILE):
            start = i + 1
    if start >= len(chosen):
        start = 0
    chosen = chosen[start:]
    start = 0
    while start < len(chosen) and is_internal(chosen[start]["file"]):
        start += 1
    return chosen[start:] if start < len(chosen) else chosen


def parse_faulthandler(text: str) -> "List[Dict[str, Any]]":
    """Frames of the crashing thread in a faulthandler dump, outermost first."""
    sections, current_first = _dump_sections(text)
    if not sections:
        return []
    return _own_frames(sections[current_first if current_first is not None else 0])


_THREAD_START = os.sep + "threading.py"


def parse_live_dump(text: str) -> "List[Dict[str, Any]]":
    """Frames ({file, line, function}, outermost first) of the thread running a worker's task
    in an all-threads dump: its main thread, the one thread not started by ``threading``
    (the signal may have been handled on any thread, so "Current thread" says nothing).
    A worker forked from a pool's handler thread runs its task under ``Process._bootstrap``
    on a thread whose stack starts in threading.py: that frame names it first."""
    sections, current = _dump_sections(text)
    main = [s for s in sections if any(
        f["function"] == "_bootstrap" and f["file"].endswith(_PROCESS_FILE) for f in s)]
    main = main or [s for s in sections if s and not s[-1]["file"].endswith(_THREAD_START)]
    chosen = main[0] if main else (sections[current or 0] if sections else [])
    return [{"file": f["file"], "line": f["line"], "function": f["function"]}
            for f in _own_frames(chosen)] if chosen else []


def describe_callable(func: "Any") -> str:
    try:
        if isinstance(func, functools.partial):
            return "functools.partial(%s)" % describe_callable(func.func)
        module = getattr(func, "__module__", None) or "?"
        if module == "__mp_main__":  # spawn/forkserver children import the script under this name
            module = "__main__"
        qual = getattr(func, "__qualname__", None) or getattr(func, "__name__", None)
        if qual is None:
            qual = type(func).__qualname__
        return "%s.%s" % (module, qual)
    except Exception:  # a user object's attributes may raise
        swallowed()
        return "<callable>"


def absolute(filename: str) -> str:
    """``os.path.abspath`` of a code object's file name. An absolute, already normal POSIX
    path is returned as it is: ``posixpath`` would give the same string, and running it is
    the costliest part of a pool's first submission right after its workers were forked."""
    if filename[:1] == "/" and "//" not in filename and "/." not in filename and os.sep == "/":
        return filename
    if filename[:1] == "<":  # code made by exec (<string>) or an interactive session: no file
        return filename
    return os.path.abspath(filename)


_STDLIB_DIRS = tuple({d + os.sep for d in (os.path.dirname(os.__file__),
                                           os.path.realpath(os.path.dirname(os.__file__)))})
_library_cache: "Dict[str, bool]" = {}


def _in_stdlib(filename: str) -> bool:
    hit = _library_cache.get(filename)
    if hit is None:
        hit = filename.startswith(_STDLIB_DIRS) and "-packages" + os.sep not in filename
        _library_cache[filename] = hit
    return hit


def call_site(skip: int = 2) -> "Optional[Dict[str, Any]]":
    """Where a task was submitted: the first caller frame outside the standard library and
    the tracer (``loop.run_in_executor`` names the user's line, not asyncio's); when every
    caller is in the standard library (its own test suite), the first outside
    multiprocessing/concurrent/threading."""
    try:
        frame: "Optional[FrameType]" = sys._getframe(skip)
    except ValueError:
        return None
    first = None
    while frame is not None:
        name = frame.f_code.co_filename
        if not is_internal(name):
            if not _in_stdlib(name):
                return {"file": absolute(name), "line": frame.f_lineno}
            if first is None:
                first = {"file": absolute(name), "line": frame.f_lineno}
        frame = frame.f_back
    return first


def process_task(proc: "Any") -> "Dict[str, Any]":
    """What a ``Process`` runs: its target, or the ``run`` of a subclass that overrides it,
    with the place that started it."""
    from .safe_repr import repr_args, repr_kwargs
    target = getattr(proc, "_target", None)
    if target is None:
        target = getattr(type(proc), "run", None)
    function = describe_callable(target)
    if function.startswith("multiprocessing."):  # a manager's server: its args hold the authkey
        args, kwargs = [], {}
    else:
        args = repr_args(getattr(proc, "_args", ()))
        kwargs = repr_kwargs(getattr(proc, "_kwargs", {}))
    return {"function": function, "args": args, "kwargs": kwargs,
            "submittedAt": getattr(proc, "_workerscope_site", None)}
