"""Timeline spans (opt-in: WORKERSCOPE_TIMELINE=1): task runs, waits on results and threads'
lives, each a small JSON array, buffered per process in a shared mmap'd file ``<pid>.spans``
and written to the channel as one ``spans`` record every FLUSH_COUNT spans, once the oldest
buffered span is FLUSH_AGE_US old (checked as a span ends: no thread of our own) and at exit.
A worker killed or terminated before it flushed leaves its spans in the mapped file, which
the runtime reads after the run; timestamps are CLOCK_MONOTONIC microseconds, as Node's hrtime.
"""

import os
from _thread import allocate_lock as _new_lock
from time import monotonic_ns, time

from . import channel, wire

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any, Optional

enabled = False  # set once, from the environment, before any hook is patched

FLUSH_COUNT = 512
FLUSH_AGE_US = 250_000
_SIZE = 1 << 18      # bytes of the mapped file: header, then the spans' text
_HEADER = 16         # two int64: bytes of span text buffered, sequence number of the first
ARGS_LIMIT = 80

_mm: "Any" = None
_header: "Any" = None
_count = 0
_oldest = 0
_seq = 0
_broken = False
_lock = _new_lock()
_tid = 0  # the native id of the thread that forked (or started) this process: its main lane
_escape = wire._escape
_SIMPLE = (int, float, str, bool, type(None))

try:
    from _thread import get_native_id as native_id
except ImportError:  # pragma: no cover - 3.8+ on Linux, macOS and Windows all have it
    from _thread import get_ident as native_id


def now() -> int:
    return monotonic_ns() // 1000


def configure(env: "Any") -> None:
    global enabled
    enabled = env.get("WORKERSCOPE_TIMELINE") == "1"


def reset_after_fork() -> None:
    """The child's spans go to a file of its own: the mapping it inherited is the parent's."""
    global _mm, _header, _count, _seq, _broken, _lock
    _mm = _header = None
    _count, _seq, _broken = 0, 0, False
    _lock = _new_lock()


def _open() -> bool:
    global _mm, _header, _broken
    ch = channel.get()
    if ch is None:
        _broken = True
        return False
    try:
        import mmap
        fd = os.open(ch.path_for(os.getpid(), wire.SPANS_SUFFIX),
                     os.O_RDWR | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            os.ftruncate(fd, _SIZE)
            _mm = mmap.mmap(fd, _SIZE)
        finally:
            os.close(fd)
        _header = memoryview(_mm)[:_HEADER].cast("q")
        _mm.seek(_HEADER)
        return True
    except Exception:
        _broken = True
        channel.swallowed()
        return False


def add(span: str, end: int) -> None:
    """One span (a JSON array's text) that ended at ``end`` (now()); flushes when due.  Runs
    once per task: the mapped file's own position is its write offset (no slice objects)."""
    global _count, _oldest
    if _broken:
        return
    _lock.acquire()
    try:
        if _mm is None and not _open():
            return
        data = (("," + span) if _count else span).encode("ascii")
        if _mm.tell() + len(data) > _SIZE:
            _flush_locked()
            data = span.encode("ascii")
            if _HEADER + len(data) > _SIZE:
                return
        _mm.write(data)
        _header[0] = _mm.tell() - _HEADER
        _count += 1
        if _count == 1:
            _oldest = end
        elif _count >= FLUSH_COUNT or end - _oldest >= FLUSH_AGE_US:
            _flush_locked()
    except Exception:
        channel.swallowed()
    finally:
        _lock.release()


def flush() -> None:
    """Writes what is buffered (at a process's exit, before a fork)."""
    if _count and not _broken:
        with _lock:
            try:
                _flush_locked()
            except Exception:
                channel.swallowed()


def _flush_locked() -> None:
    global _count, _seq
    if not _count:
        return
    head = '%s"pid":%d,"t":%r,"m":%d,"seq":%d,"spans":[' % (
        wire.SPANS_LINE_PREFIX, os.getpid(), time(), now(), _seq)
    record = head.encode("ascii") + _mm[_HEADER:_mm.tell()] + b"]}\n"
    channel.write(record)
    _seq += _count
    # Emptied first, renumbered after: killed in between, the file holds nothing twice.
    _header[0] = 0
    _header[1] = _seq
    _mm.seek(_HEADER)
    _count = 0


def short_repr(value: "Any") -> str:
    """The arguments' repr for a bar's tooltip, at most ARGS_LIMIT characters."""
    if type(value) in _SIMPLE:
        text = repr(value)
    else:
        from .safe_repr import safe_repr
        text = safe_repr(value)
    if len(text) > ARGS_LIMIT:
        text = text[:ARGS_LIMIT - 3] + "..."
    return text


def args_repr(args: "Any", star: bool) -> str:
    """A task's positional arguments as one short text (``star``: a tuple of them)."""
    try:
        if star and type(args) is tuple:
            return short_repr(args)[1:-1].rstrip(",") if args else ""
        return short_repr(args)
    except Exception:
        channel.swallowed()
        return "?"


def error_text(exc: "Any") -> str:
    try:
        text = "%s: %s" % (type(exc).__qualname__, exc)
    except BaseException:  # noqa: B902 - a user __str__ may raise anything
        text = type(exc).__qualname__
    text = text.splitlines()[0] if text else text
    return text[:200]


def task(tid: int, begin: int, end: int, key: "Optional[str]", chunk: "Optional[int]",
         pos: "Optional[int]", args: "Optional[str]", error: "Optional[str]" = None,
         function: "Optional[str]" = None, site: "Any" = None, def_site: "Any" = None
         ) -> None:
    """A task's run: ``key`` names its submit record (function, def and submit sites, index
    from chunk and pos); a task with none (a Process's target, a thread pool's task) names
    its ``function`` and sites itself, and its index as ``pos``."""
    add('["task",%d,%d,%d,%s,%s,%s,%s,%s,%s,%s,"%s",%s]' % (
        tid, begin, end, "null" if key is None else _escape(key),
        "null" if chunk is None else int(chunk), "null" if pos is None else int(pos),
        "null" if function is None else _escape(function), _site(site), _site(def_site),
        "null" if args is None else _escape(args), "ok" if error is None else "raised",
        "null" if error is None else _escape(error)), end)


def wait(call: str, begin: int, site: "Any") -> None:
    """The calling thread waited on results from ``begin`` until now; a wait no code of the
    program made (a pool's own threads joining its workers) is none of the timeline's."""
    if not site:
        return
    end = now()
    add('["wait",%d,%d,%d,%s,%s]' % (native_id(), begin, end, _escape(call), _site(site)), end)


def thread(tid: int, begin: int, end: "Optional[int]", name: str) -> None:
    """A thread's life (``end`` None: it has just started)."""
    add('["thread",%d,%d,%s,%s]' % (tid, begin, "null" if end is None else end, _escape(name)),
        now() if end is None else end)


def _site(site: "Any") -> str:
    if not site:
        return "null"
    return "[%s,%d]" % (_escape(site["file"]), int(site["line"]))


def def_site(func: "Any") -> "Any":
    """Where a function is defined, for the bar's click; None when it is not Python code."""
    try:
        func = getattr(func, "func", func)  # a functools.partial's own function
        code = getattr(func, "__code__", None)
        if code is None:
            return None
        from .frames import absolute
        return {"file": absolute(code.co_filename), "line": code.co_firstlineno}
    except Exception:
        channel.swallowed()
        return None


def wait_site() -> "Any":
    from .frames import call_site
    return call_site(3)
