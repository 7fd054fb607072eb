"""Process-wide tracer state shared by the hooks: role, options, task slot, failure events.

Kept free of multiprocessing imports so that installing the tracer costs nothing in
processes that never use it.
"""

import os
from time import time_ns as _time_ns

from . import channel, wire

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple
    from types import TracebackType


class _State:
    def __init__(self) -> None:
        self.role = wire.ROLE_MAIN
        self.helper = False          # resource tracker / forkserver server: stay silent
        self.detect_races = False
        self.pause = False
        self.failure_seq = 0
        self.slot: "Any" = None        # memoryview('q') over the mmap'd slot file, workers only
        # A pool or executor worker's task as received (CPython's pool task tuple, an executor's
        # _CallItem; None before the first and once its result is sent), and the elements of an
        # executor's map chunk: the hooks write them once per task, here rather than in
        # module globals (a store to those slows every global lookup of the module on 3.8).
        self.task: "Any" = None
        self.chunk: "Any" = None
        self.started_reported = False
        self.start_method_reported = False
        self.timeline = False          # WORKERSCOPE_TIMELINE=1: timeline.py records spans


state = _State()


def configure_from_env(env: "Dict[str, str]") -> None:
    state.detect_races = env.get("WORKERSCOPE_DETECT_RACES") == "1"
    state.pause = env.get("WORKERSCOPE_PAUSE") == "1"
    state.timeline = env.get("WORKERSCOPE_TIMELINE") == "1"


def reset_after_fork() -> None:
    state.slot = None
    state.started_reported = False
    state.start_method_reported = False
    state.failure_seq = 0
    state.helper = False  # a child forked by the forkserver is a real worker
    if state.timeline:
        from . import timeline
        timeline.reset_after_fork()
    ch = channel.get()
    if ch is not None:
        ch.reset_after_fork()


def emit(kind: str, **fields: "Any") -> bool:
    if state.helper:
        return False
    return channel.emit(kind, **fields)


def next_failure_id() -> str:
    state.failure_seq += 1
    return "%d-%d" % (os.getpid(), state.failure_seq)


def owned_here(key: "Any") -> bool:
    """Whether a pool or executor key ("<pid>:...") names this process's own pool: a forked
    child inherits its parent's bookkeeping, which is not the child's to report."""
    return isinstance(key, str) and key.startswith("%d:" % os.getpid())


def first_time(owner: int, what: str) -> bool:
    """True in the first process of the run to ask about ``what`` under ``owner`` (a marker
    file in the channel created exclusively): workers that fail alike report it once."""
    ch = channel.get()
    if ch is None:
        return False
    import zlib
    name = ch.path_for(owner, ".once-%08x" % (zlib.crc32(what.encode("utf-8", "replace"))))
    try:
        os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return True
    except FileExistsError:
        return False
    except OSError:
        return True


def traceback_frames(exc: "BaseException") -> "List[Dict[str, Any]]":
    """Frames (with locals) of an exception raised in this process, kept by its traceback."""
    try:
        from .frames import frames_from_traceback
        return frames_from_traceback(exc.__traceback__)[0] if exc.__traceback__ else []
    except Exception:
        swallowed()
        return []


_collection_watches: "Dict[Any, Any]" = {}


def on_collected(obj: "Any", key: "Any", callback: "Any") -> None:
    """Calls ``callback(key)`` once ``obj`` is garbage: a failed result nobody holds any more
    can never be retrieved, so it is reported then rather than at an exit that may not come
    (a pool worker is terminated, not ended)."""
    import weakref

    def gone(_ref: "Any") -> None:
        try:
            _collection_watches.pop(key, None)
            callback(key)
        except Exception:
            swallowed()  # safe even at interpreter teardown, when garbage is collected last
    try:
        _collection_watches[key] = weakref.ref(obj, gone)
    except TypeError:
        pass


_PICKLE_INT_OPS = ("INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4")
_PICKLE_BETWEEN = ("PROTO", "FRAME", "MARK", "MEMOIZE", "PUT", "BINPUT", "LONG_BINPUT")


def pickled_ints(data: "Optional[bytes]", count: int, after: "Optional[str]" = None
                 ) -> "Optional[List[int]]":
    """The first ``count`` integers of a pickle (those right after the string ``after``, if
    given), read from its opcodes without loading anything; None if anything else comes
    between them."""
    if not data:
        return None
    try:
        import pickletools
        ints: "List[int]" = []
        started = after is None
        for op, arg, _ in pickletools.genops(data):
            if not started:
                started = arg == after
            elif op.name in _PICKLE_INT_OPS:
                ints.append(int(arg))
                if len(ints) == count:
                    return ints
            elif op.name not in _PICKLE_BETWEEN:
                return None
    except Exception:  # not a pickle after all (a truncated item)
        swallowed()
    return None


def emit_swallowed(item: "Dict[str, Any]") -> None:
    """A failed result never retrieved, unless the pool or executor is not this process's
    own (a forked child inherits its parent's bookkeeping). ``_exc``, the exception of a
    thread pool's task, gives the frames its traceback still holds."""
    exc = item.pop("_exc", None)
    if not owned_here(item.get("key")):
        return
    if exc is not None:
        item["frames"] = traceback_frames(exc)
    emit(wire.SWALLOWED, **item)


def received_bytes(tb: "Any") -> "Optional[bytes]":
    """The pickled item a process failed to load from a queue or pipe: the ``res`` local of
    the queue's ``get`` (``SimpleQueue`` and ``Queue`` alike) or the ``buf`` of a connection's
    ``recv``, kept by the traceback."""
    while tb is not None:
        frame = tb.tb_frame
        name = frame.f_code.co_name
        if name == "get":
            data = frame.f_locals.get("res")
            if isinstance(data, (bytes, bytearray, memoryview)):
                return bytes(data)
        elif name == "recv":  # Connection.recv, as a pool's result handler reads
            buf = frame.f_locals.get("buf")
            if hasattr(buf, "getvalue"):
                return bytes(buf.getvalue())
        tb = tb.tb_next
    return None


MESSAGE_LIMIT = 2000  # characters of an exception's message kept in the report


def exception_info(exc: "BaseException") -> "Dict[str, str]":
    try:
        message = str(exc)
        if not isinstance(message, str):
            message = "<unprintable %s>" % type(exc).__qualname__
    except BaseException:  # noqa: B902 — a user __str__ may raise anything, even SystemExit
        from .safe_repr import safe_repr
        message = safe_repr(exc)
    if len(message) > MESSAGE_LIMIT:
        message = "%s... (%d characters)" % (message[:MESSAGE_LIMIT], len(message))
    return {"type": type(exc).__qualname__, "message": message}


def worker_name() -> str:
    try:
        import multiprocessing.process as mpp  # already imported in any worker
        return mpp.current_process().name
    except Exception:
        swallowed()
        return "MainProcess"


# ---- task slot (workers only) ------------------------------------------------------------

def open_slot() -> None:
    ch = channel.get()
    if ch is None or state.helper:
        return
    try:
        import mmap
        fd = os.open(ch.path_for(os.getpid(), wire.SLOT_SUFFIX),
                     os.O_RDWR | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            os.ftruncate(fd, wire.SLOT_SIZE)
            mapped = mmap.mmap(fd, wire.SLOT_SIZE)
        finally:
            os.close(fd)
        state.slot = memoryview(mapped).cast("q")
    except Exception:
        state.slot = None
        swallowed()


def shared_slot() -> "Any":
    """For a worker about to be forked: (view, temporary path) of a slot file made in the
    channel and mapped shared, which the worker adopts as its own and the parent renames to
    ``<child pid>.slot`` once the fork has told it the pid (so the supervisor reads it too,
    at the cost of a file per worker rather than an anonymous mapping)."""
    ch = channel.get()
    if state.helper or ch is None:
        return None
    try:
        import mmap
        global _slot_seq
        _slot_seq += 1
        path = ch.path_for(os.getpid(), ".slot-new-%d" % _slot_seq)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0),
                     0o600)
        try:
            os.ftruncate(fd, wire.SLOT_SIZE)
            mapped = mmap.mmap(fd, wire.SLOT_SIZE)
        finally:
            os.close(fd)
        # Cast here: the worker adopts the view as it is, with nothing to build after the fork.
        return memoryview(mapped).cast("q"), path
    except Exception:
        swallowed()
        return None


_slot_seq = 0


# The opt-in tracer log (WORKERSCOPE_TRACER_LOG) of the errors the tracer contains: defined
# beside the channel, which every module may import, and called by the hooks from here.
swallowed = channel.swallowed


def rename_like(func: "Any", original: "Any") -> "Any":
    """Gives a wrapper the module, name and doc of what it replaces, so that it pickles by
    reference and reads as the original in tracebacks and introspection (``__wrapped__``:
    ``inspect.signature`` shows the original's parameters, as for ``functools.wraps``)."""
    func.__module__ = original.__module__
    func.__name__ = original.__name__
    func.__qualname__ = original.__qualname__
    func.__doc__ = original.__doc__
    func.__wrapped__ = original
    return func


def claim(target: "Any", flag: str = "_workerscope_patched") -> bool:
    """Marks ``target`` as patched under ``flag``; False if it already was, so a hook that
    runs again (a module imported twice, a hook installed twice) patches nothing twice."""
    if getattr(target, flag, False):
        return False
    setattr(target, flag, True)
    return True


def slot_begin(key: int, chunk: int) -> None:
    slot = state.slot
    if slot is not None:
        slot[wire.SLOT_KEY] = key
        slot[wire.SLOT_CHUNK] = chunk
        slot[wire.SLOT_POS] = 0
        slot[wire.SLOT_STARTED] = _time_ns() // 1000
        slot[wire.SLOT_BUSY] = 1


def slot_end() -> None:
    slot = state.slot
    if slot is not None and slot[wire.SLOT_BUSY]:
        slot[wire.SLOT_BUSY] = 0
        slot[wire.SLOT_DONE] += 1


def flush_races() -> None:
    """A pool worker writes its race counts before it sends each result: a pool that is
    terminated once it has them (leaving ``with Pool()``) kills the worker before its exit."""
    if state.detect_races:
        import sys
        races = sys.modules.get(__package__ + ".races")
        if races is not None and races._counts:
            races.flush()


def counting(items: "Iterable[Any]", slot: "Any") -> "Iterator[Any]":
    """Yields the items of a chunk, publishing each one's position in the worker's task slot
    first, so that a worker killed mid-chunk is attributed to the element it was running."""
    n = 0
    for item in items:
        slot[wire.SLOT_POS] = n
        yield item
        n += 1


class QueueProxy:
    """Stands in for a worker's task queue: everything is forwarded, and subclasses wrap
    ``get`` to note which task the worker takes before it runs it."""

    __slots__ = ("_q",)

    def __init__(self, q: "Any") -> None:
        self._q = q

    def __getattr__(self, name: str) -> "Any":
        return getattr(self._q, name)


def read_slot(pid: int, proc: "Any" = None) -> "Optional[Dict[str, int]]":
    """A child's slot (shared with it, or its file) as wire.slot_fields names it, or None."""
    ch = channel.get()
    if ch is None:
        return None
    try:
        shared = getattr(proc, "_workerscope_shared_slot", None)
        if shared is not None:
            data = shared.tobytes()
        else:
            with open(ch.path_for(pid, wire.SLOT_SUFFIX), "rb") as f:
                data = f.read(wire.SLOT_SIZE)
        return wire.slot_fields(data)
    except OSError:
        return None  # no slot file: a worker that died before it made one
    except Exception:
        swallowed()
        return None


# ---- failures ----------------------------------------------------------------------------

def _thread_name(threading: "Any") -> str:
    """The failing thread's name; a process forked from another thread (a pool replacing a
    worker from its handler thread) still calls its only thread by the forking thread's name."""
    current = threading.current_thread()
    return "MainThread" if current is threading.main_thread() else current.name


def failure_pauses(kind: str) -> bool:
    """In a debug session, by the spec's exception filters (excfilters.py); else as
    WORKERSCOPE_PAUSE says, for a worker's failure or a thread's."""
    import sys
    if sys.modules.get(__package__ + ".breakpoints") is not None:
        from . import excfilters
        return excfilters.failure_pauses(kind)
    return state.pause and (state.role != wire.ROLE_MAIN or kind in (wire.THREAD_EXCEPTION,
                                                                     wire.WORKER_LOST))


# Set by a task runner that runs tasks on threads of a process (hooks_dask): the key and task
# the calling thread runs, or None.
thread_task: "Optional[Callable[[], Optional[Tuple[Optional[str], Dict[str, Any]]]]]" = None


def exiting_task() -> "Tuple[Optional[str], Optional[Dict[str, Any]]]":
    """The key and task of the thread that ends its process by ``os._exit``, when a task
    runner knows them; (None, None) otherwise (the Process's target is then named)."""
    if thread_task is not None:
        try:
            found = thread_task()
            if found is not None:
                return found
        except Exception:
            swallowed()
    return None, None


# Set by a task runner whose workers are processes this one watches (hooks_dask): for a child
# that died, (key, task, cause) of what it was running, by its pid.
child_task: "Optional[Callable[[int], Tuple[Optional[str], Any, Optional[str]]]]" = None


def lost_task(pid: int) -> "Tuple[Optional[str], Any, Optional[str]]":
    """Key, task and cause of a child's death a task runner knows of; Nones otherwise."""
    if child_task is not None:
        try:
            return child_task(pid)
        except Exception:
            swallowed()
    return None, None, None


def report_failure(kind: str, exc: "BaseException", tb: "Optional[TracebackType]",
                   once: "Optional[Tuple[int, str]]" = None, **fields: "Any") -> None:
    """Emit a failure event with worker-side frames; pause for the debugger if asked.
    With ``once`` (owner, what), only the first process to fail so reports it: the claim is
    made once the record is ready, so a worker killed while describing its failure (a broken
    executor terminates the rest) leaves the report to another."""
    if state.helper or channel.get() is None:
        return
    try:
        import threading
        from .frames import frames_from_traceback
        records, live = frames_from_traceback(tb)
        failure_id = next_failure_id()
        paused = failure_pauses(kind)
        event: "Dict[str, Any]" = {
            "id": failure_id, "thread": _thread_name(threading),
            "worker": worker_name(), "role": state.role,
            "exception": exception_info(exc), "frames": records, "paused": bool(paused),
        }
        event.update(fields)
        if once is not None and not first_time(*once):
            return
        if not emit(kind, **event):
            return
        if paused:
            from . import pause
            pause.wait_for_debugger(failure_id, live)
    except Exception:
        swallowed()
