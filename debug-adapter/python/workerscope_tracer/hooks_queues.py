"""Hooks on ``multiprocessing.queues.Queue``: where items are put, and a process that cannot
exit because its queue's feeder thread cannot write them into the pipe (nobody reads it).

Each put notes its call site in a small per-queue record (no frames nor items are kept); the
feeder thread's exit join (``Queue._finalize_join``) says ``queue-flush-wait`` when it has not
finished after FLUSH_GRACE seconds, naming where the unwritten items were put, and
``queue-flushed`` if it finishes after all.  The supervisor's hang watch pairs the wait with
a parent blocked in ``Process.join()`` on this process (joinwatch.py).
"""

import os
import sys
import time

from . import runtime, wire
from .frames import _in_stdlib, absolute, is_internal

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any, Dict, List, Optional, Tuple

FLUSH_GRACE = 0.5  # s a feeder thread may take to flush at exit before the wait is reported
MAX_SITES = 32     # distinct put sites counted per queue (more are not counted)
RECENT = 64        # sites of the latest puts, in order: those of the items still unwritten

_generation = 0  # bumped in a forked child: a queue's record from the parent is not its own
_sequence = 0    # numbers the queues of this process (their "queue" id)
_site_kind: "Dict[str, int]" = {}  # file -> 0 user code, 1 other stdlib, 2 machinery/tracer


class _Puts:
    """Where this process put items on one queue; shared by the queue and its feeder thread
    (the thread outlives a queue dropped by the program, and it is what blocks the exit)."""

    __slots__ = ("generation", "id", "counts", "recent", "buffer", "tagged")

    def __init__(self) -> None:
        global _sequence
        from collections import deque
        _sequence += 1
        self.generation = _generation
        self.id = "%d:%d" % (os.getpid(), _sequence)
        self.counts: "Dict[Any, int]" = {}
        self.recent: "Any" = deque(maxlen=RECENT)
        self.buffer: "Any" = None  # weak reference to the feeder thread's buffer
        self.tagged = False  # the feeder thread knows us


def _forked() -> None:
    global _generation
    _generation += 1


def _kind(filename: str) -> int:
    kind = _site_kind.get(filename)
    if kind is None:
        kind = 2 if is_internal(filename) else (1 if _in_stdlib(filename) else 0)
        _site_kind[filename] = kind
    return kind


def site_of(frame: "Any") -> "Optional[Tuple[str, int, str]]":
    """The put site, (file, line, function), of the first frame from ``frame`` outward outside
    the standard library and the tracer; when all of them are (CPython's own tests), the first
    outside multiprocessing, concurrent.futures, threading and the tracer."""
    fallback = None
    while frame is not None:
        code = frame.f_code
        kind = _kind(code.co_filename)
        if kind == 0:
            return (code.co_filename, frame.f_lineno, code.co_name)
        if kind == 1 and fallback is None:
            fallback = (code.co_filename, frame.f_lineno, code.co_name)
        frame = frame.f_back
    return fallback


def _note(queue: "Any", frame: "Any") -> None:
    """One item put on ``queue`` by the code running ``frame`` (the caller of ``put``).
    Runs on every put: the common case (a put from the program's own code, to a queue whose
    feeder thread runs) is kept to a few dictionary lookups."""
    puts = queue.__dict__.get("_workerscope_puts")
    if puts is None or puts.generation != _generation:
        puts = queue.__dict__["_workerscope_puts"] = _Puts()
    if not puts.tagged and queue._thread is not None:
        import weakref  # the feeder thread has just started: it learns whose items it writes
        puts.buffer = weakref.ref(queue._buffer)
        queue._thread._workerscope_puts = puts
        puts.tagged = True
    code = frame.f_code
    if _site_kind.get(code.co_filename) == 0:
        site: "Any" = (code.co_filename, frame.f_lineno, code.co_name)
    else:
        site = site_of(frame)
    puts.recent.append(site)
    counts = puts.counts
    n = counts.get(site)
    if n is not None:
        counts[site] = n + 1
    elif len(counts) < MAX_SITES:
        counts[site] = 1


def _hook_notify(queue: "Any", put_codes: "Any") -> None:
    """Notes each put when it wakes the feeder thread (``_notempty.notify()``, the last step
    of ``put`` once the item is buffered): a put that raises never reaches it, so no tracer
    frame is ever in its traceback. Weak references only: the queue's life is unchanged."""
    import weakref
    cond = queue._notempty
    if "notify" in cond.__dict__:  # 3.9+ reuses the condition after a fork
        return
    queue_ref, cond_ref, original = weakref.ref(queue), weakref.ref(cond), type(cond).notify

    def notify(*args: "Any", **kwargs: "Any") -> "Any":
        try:
            caller = sys._getframe(1)
            code = caller.f_code  # compared by identity: hashing a code object is slow
            if code is put_codes[0] or code is put_codes[1]:
                owner = queue_ref()
                if owner is not None:
                    _note(owner, caller.f_back)
        except Exception:
            runtime.swallowed()
        return original(cond_ref(), *args, **kwargs)

    cond.notify = runtime.rename_like(notify, original)


def _wrap_reset(original: "Any", put_codes: "Any") -> "Any":
    def _reset(self: "Any", *args: "Any", **kwargs: "Any") -> "Any":
        result = original(self, *args, **kwargs)
        # A library's own queue (a ProcessPoolExecutor's call queue) is none of the program's
        # puts, and its timing is not ours to change: CPython's executor shutdown races its
        # feeder thread's error path, and a slower put made that race a deadlock.
        if type(self).__module__.startswith("concurrent.futures"):
            return result
        try:
            _hook_notify(self, put_codes)
        except Exception:
            runtime.swallowed()
        return result

    return runtime.rename_like(_reset, original)


def _unwritten(puts: "_Puts", module: "Any") -> "Tuple[Optional[int], List[Dict[str, Any]]]":
    """How many items the feeder thread has not written yet (those still buffered and the one
    it is writing) and where they were put: the latest puts when they are all remembered,
    else every put site of this process on the queue."""
    items = None
    buffer = puts.buffer() if puts.buffer is not None else None
    if buffer is not None:
        sentinel = getattr(module, "_sentinel", None)
        try:
            items = sum(1 for obj in list(buffer) if obj is not sentinel) + 1
        except RuntimeError:  # changed while read: it is flushing after all
            items = None
    recent = list(puts.recent)
    if items is not None and items <= len(recent):
        counts: "Dict[Any, int]" = {}
        for site in recent[len(recent) - items:]:
            counts[site] = counts.get(site, 0) + 1
    else:
        counts = dict(puts.counts)
    sites = [dict(_site_fields(site), count=n) for site, n in counts.items() if site is not None]
    return items, sites


def _site_fields(site: "Tuple[str, int, str]") -> "Dict[str, Any]":
    """A put site as the records name it."""
    file, line, function = site
    return {"file": absolute(file), "line": line, "function": function}


def _wrap_finalize_join(original: "Any", module: "Any") -> "Any":
    def _finalize_join(twr: "Any") -> "Any":
        thread = twr()
        puts = thread.__dict__.get("_workerscope_puts") if thread is not None else None
        waited = False
        if puts is not None and puts.generation == _generation:
            try:
                waited = _wait_reported(thread, puts, module)
            except Exception:
                runtime.swallowed()
        result = original(twr)
        if waited:
            try:
                runtime.emit(wire.QUEUE_FLUSHED, queue=puts.id)
            except Exception:
                runtime.swallowed()
        return result

    return runtime.rename_like(_finalize_join, original)


def _wait_reported(thread: "Any", puts: "_Puts", module: "Any") -> bool:
    """Waits up to FLUSH_GRACE for the feeder thread (CPython's join then waits as long as
    it takes); True if it was still writing and the wait has been reported."""
    if not thread.is_alive():
        return False
    thread.join(FLUSH_GRACE)
    if not thread.is_alive():
        return False
    items, sites = _unwritten(puts, module)
    return runtime.emit(wire.QUEUE_FLUSH_WAIT, queue=puts.id, items=items, puts=sites)


def patch(module: "Any") -> None:
    """Patch multiprocessing.queues (right after it is imported, before any queue exists:
    ``_start_thread`` registers ``Queue._finalize_join`` as it is then)."""
    queue = getattr(module, "Queue", None)
    if queue is None or not runtime.claim(queue):
        return
    raw = queue.__dict__.get("_finalize_join")
    # What makes a queue's condition and buffer anew (at creation, unpickling and after a
    # fork): _reset since 3.9, _after_fork in 3.8.
    reset_name = "_reset" if "_reset" in queue.__dict__ else "_after_fork"
    reset = queue.__dict__.get(reset_name)
    if not isinstance(raw, staticmethod) or reset is None:
        return  # not the CPython 3.8-3.13 design this relies on
    put_code = queue.put.__code__
    joinable = getattr(module, "JoinableQueue", None)
    joinable_put = joinable.__dict__.get("put") if joinable is not None else None
    put_codes = (put_code, joinable_put.__code__ if joinable_put is not None else put_code)
    setattr(queue, reset_name, _wrap_reset(reset, put_codes))
    queue._finalize_join = staticmethod(_wrap_finalize_join(raw.__func__, module))
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_forked)


def note_join(proc: "Any", timeout: "Any") -> None:
    """A ``join`` record for a child still running, joined by its own parent (the call that
    would fail is left to CPython): one half of a queue deadlock (the other is the child's flush wait). A join
    polled with a short timeout is recorded again only after JOIN_REPEAT seconds."""
    try:
        popen = proc.__dict__.get("_popen")
        if popen is None or popen.returncode is not None or proc._parent_pid != os.getpid():
            return
        if timeout is not None:
            timeout = float(timeout)
        site = site_of(sys._getframe(2))  # the caller of Process.join
        now = time.time()
        last = proc.__dict__.get("_workerscope_join")  # (call site, timeout), when
        if last is not None:
            last_call, last_at = last
            if last_call == (site, timeout) and now - last_at < JOIN_REPEAT:
                return
        proc._workerscope_join = ((site, timeout), now)
        at = None if site is None else _site_fields(site)
        runtime.emit(wire.JOIN, child=popen.pid, name=proc.name, timeout=timeout, at=at)
    except Exception:
        runtime.swallowed()


JOIN_REPEAT = 0.5
