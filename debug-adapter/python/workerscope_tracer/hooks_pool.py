"""Hooks on ``multiprocessing.pool``: task attribution in workers, submits and losses in the parent.

Worker side: ``pool.worker`` is replaced by a function with the same module/name (so it
pickles by reference) that wraps the worker's queues; ``get`` marks the task slot busy and
feeds chunked ``map`` tasks through a counting generator, ``put`` of a failed result emits
``task-exception`` with live frames.  No extra frame enters any traceback the user sees.
Parent side: submits are recorded (function, chunksize, call site), sent tasks are kept
until their result arrives so a worker death can be attributed, and failed AsyncResults
that are never retrieved are reported at exit as ``swallowed``.
"""

import collections
import os
import sys
import threading

from . import hooks_process, hooks_threading, runtime, wire
from .frames import call_site, describe_callable
from .runtime import state

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any, Dict, List, Optional, Tuple

_tls = threading.local()
_jobs: "Dict[int, Dict[str, Any]]" = {}                      # job -> submit info (parent)
_sent: "Dict[Tuple[int, int], Tuple[Any, Any, Any]]" = {}    # (job, chunk) -> (func, args, kwds)
_unretrieved: "Dict[int, Dict[str, Any]]" = {}               # job -> swallowed candidate
_imap_unread: "Dict[int, Tuple[int, Dict[str, Any], Any]]" = {}  # id(exc) -> imap failure
_mod: "Any" = None

# Worker-side current task: [job, chunk, user_func, chunk_items, star, args, kwds]
_current: "List[Any]" = [None] * 7
# A result the worker could not send (it sends a MaybeEncodingError for the task next)
_unsent: "List[Any]" = []
# The exception of a task the worker received but could not unpickle (it ends the worker)
_unreadable: "List[BaseException]" = []
_fallback_slot = [0, 0, 0, 0]


def _key(owner: "Any", job: "Any") -> str:
    return "%s:pool:%s" % (owner, job)


# ---- worker side ------------------------------------------------------------------------

class _InQueue(runtime.QueueProxy):
    __slots__ = ()

    def get(self, *args: "Any", **kwargs: "Any") -> "Any":
        try:
            task = self._q.get(*args, **kwargs)
        except (EOFError, OSError):
            raise  # the pool is closing: the worker leaves quietly
        except BaseException as exc:
            _unreadable[:] = [exc]
            raise
        if task is None:
            return task
        try:
            job, i, func, fargs, kwds = task
            slot = state.slot if state.slot is not None else _fallback_slot
            runtime.slot_begin(job, i)
            if func is _mod.mapstar or func is _mod.starmapstar:
                user, items = fargs[0]
                _current[:] = [job, i, user, items, func is _mod.starmapstar, None, None]
                slot[wire.SLOT_POS] = 0
                return (job, i, func, ((user, runtime.counting(items, slot)),), kwds)
            _current[:] = [job, i, func, None, False, fargs, kwds]
        except Exception:
            pass
        return task


class _OutQueue(runtime.QueueProxy):
    __slots__ = ()

    def put(self, obj: "Any") -> "Any":
        try:
            job, i, (success, value) = obj
            if not success:
                _task_failed(job, i, value)
        except Exception:
            pass
        try:
            runtime.flush_races()
        except Exception:
            pass
        try:
            return self._q.put(obj)
        except BaseException:
            # Unpicklable: the worker sends a MaybeEncodingError for the same task next.
            _unsent[:] = [obj]
            raise
        finally:
            runtime.slot_end()


def _unpicklable_position(results: "Any") -> "Optional[int]":
    """Which result of a chunk could not be pickled (the worker only says one of them)."""
    try:
        from multiprocessing.reduction import ForkingPickler
        for pos, result in enumerate(results):
            try:
                ForkingPickler.dumps(result)
            except Exception:
                return pos
    except Exception:
        pass
    return None


def _task_failed(job: int, i: int, value: "Any") -> None:
    exc = value
    ewt = getattr(_mod, "ExceptionWithTraceback", None)
    if ewt is not None and isinstance(value, ewt):
        exc = value.exc
    if not isinstance(exc, BaseException):
        return
    cur = list(_current)
    running = cur[0] == job and cur[1] == i  # the failed task is the one this worker took
    chunk = cur[3] if running else None
    unsent = _unsent.pop() if _unsent else None
    culprit = None
    if unsent is not None and unsent[0] == job and unsent[1] == i \
            and isinstance(exc, getattr(_mod, "MaybeEncodingError", ())):
        if not unsent[2][0]:
            return  # the task's own exception, reported when the worker first tried to send it
        if chunk is not None:
            culprit = _unpicklable_position(unsent[2][1])
    if running and cur[2] is getattr(_mod, "_helper_reraises_exception", 0):
        return  # imap's own input iterable raised in the parent: no task of the worker failed
    from .safe_repr import repr_args, repr_kwargs, safe_repr  # failures only: loaded late
    pos = 0
    if chunk is not None:
        slot = state.slot if state.slot is not None else _fallback_slot
        pos = int(slot[wire.SLOT_POS]) if culprit is None else culprit
        try:
            element = chunk[pos]
            args = repr_args(element) if cur[4] else [safe_repr(element)]
        except Exception:
            args = []
        task = {"function": describe_callable(cur[2]), "args": args, "kwargs": {}}
    elif running:
        task = {"function": describe_callable(cur[2]), "args": repr_args(cur[5] or ()),
                "kwargs": repr_kwargs(cur[6])}
    else:
        task = {"function": None, "args": [], "kwargs": {}}
    mpp = sys.modules.get("multiprocessing.process")
    owner = getattr(mpp.current_process(), "_parent_pid", None) if mpp is not None else None
    runtime.report_failure(wire.TASK_EXCEPTION, exc, exc.__traceback__, key=_key(owner, job),
                           chunk=i, pos=pos, task=task)


class _TrackedLock:
    """The worker's task-queue read lock, noting in the slot while it is held: a worker killed
    holding it (idle, waiting for a task) leaves every other worker unable to get one."""

    __slots__ = ("_lock", "_slot")

    def __init__(self, lock: "Any", slot: "Any") -> None:
        self._lock = lock
        self._slot = slot

    def __enter__(self) -> "Any":
        entered = self._lock.__enter__()
        self._slot[wire.SLOT_LOCKED] = 1
        return entered

    def __exit__(self, *exc: "Any") -> "Any":
        self._slot[wire.SLOT_LOCKED] = 0
        return self._lock.__exit__(*exc)

    def __getattr__(self, name: str) -> "Any":
        return getattr(self._lock, name)


def _track_read_lock(inqueue: "Any") -> None:
    try:
        lock = getattr(inqueue, "_rlock", None)
        if state.slot is not None and lock is not None:
            inqueue._rlock = _TrackedLock(lock, state.slot)
    except Exception:
        pass


def _make_worker(original: "Any") -> "Any":
    def worker(inqueue: "Any", outqueue: "Any", *args: "Any", **kwargs: "Any") -> "Any":
        if (state.helper or runtime.channel.get() is None
                or threading.current_thread() is not threading.main_thread()):
            return original(inqueue, outqueue, *args, **kwargs)  # ThreadPool: untouched
        _current[:] = [None] * 7  # a worker forked from a worker starts with no task
        del _unsent[:], _unreadable[:]
        _track_read_lock(inqueue)
        return original(_InQueue(inqueue), _OutQueue(outqueue), *args, **kwargs)

    # Same identity for pickle (spawn/forkserver pickle the Process target by reference).
    return runtime.rename_like(worker, original)


def _worker_died(proc: "Any", exc: "BaseException") -> bool:
    """An exception escaped a pool worker (it is printed and the worker exits 1): a task it
    could not unpickle, or its initializer.  Either leaves the pool unable to finish — the
    task is gone, or every replacement worker fails the same way — so besides the failure
    (once for workers failing alike) a ``pool-stalled`` record arms the hang watch."""
    owner = getattr(proc, "_parent_pid", None) or os.getppid()
    from .safe_repr import repr_args, safe_repr
    if _unreadable and _unreadable[0] is exc:
        # A pickled task is (job, i, func, args, kwds): its first two integers.
        ids = runtime.pickled_ints(runtime.received_bytes(exc.__traceback__), 2)
        key, chunk = (_key(owner, ids[0]), ids[1]) if ids else (None, None)
        runtime.report_failure(wire.TASK_EXCEPTION, exc, exc.__traceback__,
                               once=(owner, "unreadable %s %s" % (type(exc).__qualname__,
                                                                  safe_repr(exc))),
                               key=key, chunk=chunk, pos=0,
                               task={"function": None, "args": [], "kwargs": {}})
        _stalled(owner, "task-unreadable", proc, key, chunk)
        return True
    args = getattr(proc, "_args", ())
    initializer = args[2] if len(args) > 3 else None
    if initializer is None or _current[0] is not None:
        return False  # it had run tasks: not its initializer
    task = {"function": describe_callable(initializer), "args": repr_args(args[3] or ()),
            "kwargs": {}}
    if runtime.first_time(owner, "initializer %s %s" % (task["function"],
                                                        type(exc).__qualname__)):
        runtime.report_failure(wire.PROCESS_EXCEPTION, exc, exc.__traceback__, task=task)
    else:  # a replacement failed too: the pool cannot get a working worker
        _stalled(owner, "initializer-failed", proc, task=task)
    return True


def _stalled(owner: int, reason: str, proc: "Any" = None, key: "Optional[str]" = None,
             chunk: "Optional[int]" = None, task: "Optional[Dict[str, Any]]" = None) -> None:
    """Arms the hang watch: the pool can no longer finish (written by the dying worker
    ``proc``, or by the pool's owner itself)."""
    runtime.emit(wire.POOL_STALLED, owner=owner, child=os.getpid() if proc is not None else None,
                 worker=proc.name if proc is not None else None, key=key, chunk=chunk,
                 task=task, reason=reason)


def _callback_lost(exc: "KeyError") -> None:
    """A result's callback raised KeyError: the result handler takes it for a result of a job
    already gone and drops it silently, and the result never completes (``get()`` and
    ``join()`` wait forever)."""
    try:
        from .frames import is_internal
        tb = exc.__traceback__
        while tb is not None and is_internal(tb.tb_frame.f_code.co_filename):
            tb = tb.tb_next
        if tb is None:
            return  # raised by the pool itself, not by a callback
        runtime.report_failure(wire.THREAD_EXCEPTION, exc, exc.__traceback__,
                               threadName=threading.current_thread().name)
        _stalled(os.getpid(), "callback-raised")
    except Exception:
        pass


def _thread_died(exc: "BaseException", tb: "Any") -> None:
    """A pool's own thread died (an exception raised by a result that cannot be unpickled in
    the parent kills the result handler): nothing will complete any more."""
    pool_cls = getattr(_mod, "Pool", None)
    if pool_cls is None:
        return
    codes = set()
    for name in ("_handle_results", "_handle_tasks", "_handle_workers"):
        code = getattr(getattr(pool_cls, name, None), "__code__", None)
        if code is not None:
            codes.add(code)
    while tb is not None:
        if tb.tb_frame.f_code in codes:
            _stalled(os.getpid(), "handler-died")
            return
        tb = tb.tb_next


# ---- parent side -------------------------------------------------------------------------

def _register(job: "Optional[int]", api: str, func: "Any", chunksize: int, indexed: bool,
              site: "Optional[Dict[str, Any]]") -> None:
    if job is None:
        return
    info = {"key": _key(os.getpid(), job), "api": api, "function": describe_callable(func),
            "chunksize": chunksize, "indexBase": 0, "indexed": indexed, "submittedAt": site,
            "star": api.startswith("starmap")}
    _jobs[job] = info
    runtime.emit(wire.SUBMIT, **{k: v for k, v in info.items() if k != "star"})


def _task_args(info: "Optional[Dict[str, Any]]", sent: "Optional[Tuple[Any, Any, Any]]",
               pos: int) -> "Tuple[List[str], Dict[str, str]]":
    if sent is None:
        return [], {}
    from .safe_repr import repr_args, repr_kwargs, safe_repr
    func, fargs, kwds = sent
    if _mod is not None and (func is _mod.mapstar or func is _mod.starmapstar):
        try:
            element = fargs[0][1][pos]
        except Exception:
            return [], {}
        return (repr_args(element) if func is _mod.starmapstar else [safe_repr(element)]), {}
    return repr_args(fargs or ()), repr_kwargs(kwds)


def task_for(job: int, chunk: int, pos: int) -> "Dict[str, Any]":
    info = _jobs.get(job) or {}
    args, kwargs = _task_args(info, _sent.get((job, chunk)), pos)
    chunksize = info.get("chunksize") or 1
    return {"function": info.get("function"), "args": args, "kwargs": kwargs,
            "index": (chunk * chunksize + pos) if info.get("indexed") else None,
            "submittedAt": info.get("submittedAt")}


def _worker_lost(proc: "Any", code: int, slot: "List[int]") -> None:
    job, chunk, pos = slot[wire.SLOT_KEY], slot[wire.SLOT_CHUNK], slot[wire.SLOT_POS]
    if not slot[wire.SLOT_BUSY] or (job, chunk) not in _sent:
        # Idle (or killed after its result arrived, before it could mark its slot idle): no
        # task to blame.  Holding the task queue's read lock, it still leaves the pool stuck.
        if slot[wire.SLOT_LOCKED]:
            runtime.emit(wire.WORKER_LOST, child=proc.pid, worker=proc.name,
                         role=wire.ROLE_POOL_WORKER, exitCode=code,
                         signal=hooks_process.signal_name(code), key=None, chunk=None, pos=None,
                         task=None, heldTaskQueueLock=True,
                         frames=hooks_process.fault_frames(proc.pid))
        return
    runtime.emit(wire.WORKER_LOST, child=proc.pid, worker=proc.name, role=wire.ROLE_POOL_WORKER,
                 exitCode=code, signal=hooks_process.signal_name(code), key=_key(os.getpid(), job),
                 chunk=chunk, pos=pos, task=task_for(job, chunk, pos),
                 frames=hooks_process.fault_frames(proc.pid))


def _emit_swallowed() -> None:
    for job in list(_unretrieved):
        _emit_unretrieved(job)
    for job in {entry[0] for entry in list(_imap_unread.values())}:
        _emit_imap_unread(job)


class _TrackedItems(collections.deque):
    """An imap iterator's queue of results once one has failed: ``next()`` taking a failure
    off it (then raising it) is its retrieval. Seen here, before the raise, so no tracer
    frame enters the traceback the program gets."""

    def popleft(self) -> "Any":
        item = collections.deque.popleft(self)
        try:
            if not item[0]:
                _imap_unread.pop(id(item[1]), None)
        except Exception:
            pass
        return item


def _imap_failed(iterator: "Any", job: int, i: int, value: "Any", sent: "Any") -> None:
    """A failed result of an imap: unread if the program never takes it from the iterator."""
    info = _jobs.get(job) or {}
    single = (info.get("chunksize") or 1) == 1
    args, kwargs = _task_args(info, sent, 0) if single else ([], {})
    entry: "Dict[str, Any]" = {
        "key": _key(os.getpid(), job), "chunk": i, "api": info.get("api"),
        "task": {"function": info.get("function"), "args": args, "kwargs": kwargs,
                 "index": i if single else None, "submittedAt": info.get("submittedAt")},
        "exception": runtime.exception_info(value) if isinstance(value, BaseException) else None}
    if getattr(value, "__traceback__", None) is not None:  # raised in a ThreadPool
        entry.update(_exc=value, thread=None)
    with iterator._cond:  # before the result is queued: next() must find it tracked
        if not isinstance(iterator._items, _TrackedItems):
            iterator._items = _TrackedItems(iterator._items)
        _imap_unread[id(value)] = (job, entry, value)
    runtime.on_collected(iterator, ("imap", job), lambda k: _emit_imap_unread(k[1]))


def _emit_imap_unread(job: int) -> None:
    for key, (owner_job, entry, _value) in list(_imap_unread.items()):
        if owner_job == job and _imap_unread.pop(key, None) is not None:
            runtime.emit_swallowed(entry)


def _emit_unretrieved(job: int) -> None:
    """At exit, or once the AsyncResult is garbage: its failure was never retrieved."""
    item = _unretrieved.pop(job, None)
    if item is not None:
        runtime.emit_swallowed(item)


def patch(module: "Any") -> None:
    """Patch multiprocessing.pool (called right after it is imported)."""
    global _mod
    if not runtime.claim(module):
        return
    _mod = module
    pool_cls = module.Pool

    original_worker = module.worker
    module._workerscope_original_worker = original_worker
    module.worker = _make_worker(original_worker)

    orig_setup = pool_cls._setup_queues

    def _setup_queues(self: "Any") -> None:
        orig_setup(self)
        _record_sent(self)

    pool_cls._setup_queues = _setup_queues
    thread_pool = getattr(module, "ThreadPool", None)
    thread_setup = getattr(thread_pool, "__dict__", {}).get("_setup_queues")
    if thread_setup is not None:  # its own queues: sent tasks are recorded alike
        def _setup_thread_queues(self: "Any") -> None:
            thread_setup(self)
            _record_sent(self)
        thread_pool._setup_queues = _setup_thread_queues

    repopulate = pool_cls.__dict__.get("_repopulate_pool_static")
    if isinstance(repopulate, staticmethod):
        pool_cls._repopulate_pool_static = staticmethod(
            hooks_process.starting_together(repopulate.__func__))

    for cls in (module.ApplyResult, module.IMapIterator):
        _wrap_init(cls)
    _patch_exception_text(module)

    orig_map_async = pool_cls._map_async

    def _map_async(self: "Any", func: "Any", iterable: "Any", mapper: "Any", chunksize: "Any" = None,
                   callback: "Any" = None, error_callback: "Any" = None) -> "Any":
        size = chunksize
        try:
            if not hasattr(iterable, "__len__"):
                iterable = list(iterable)
            if size is None:
                size, extra = divmod(len(iterable), len(self._pool) * 4)
                if extra:
                    size += 1
            api = sys._getframe(1).f_code.co_name
        except Exception:
            api = "map"
        result = orig_map_async(self, func, iterable, mapper, chunksize, callback, error_callback)
        if api not in ("map", "map_async", "starmap", "starmap_async"):
            api = "starmap_async" if mapper is module.starmapstar else "map_async"
        _register(getattr(result, "_job", None), api, func, size or 1, True, call_site())
        return result

    pool_cls._map_async = _map_async

    for name in ("imap", "imap_unordered"):
        _wrap_imap(pool_cls, name)

    orig_apply_async = pool_cls.apply_async

    def apply_async(self: "Any", func: "Any", args: "Any" = (), kwds: "Any" = {}, callback: "Any" = None,
                    error_callback: "Any" = None) -> "Any":
        result = orig_apply_async(self, func, args, kwds, callback, error_callback)
        try:
            caller = sys._getframe(1).f_code.co_name
            _register(result._job, "apply" if caller == "apply" else "apply_async", func, 1,
                      False, call_site())
        except Exception:
            pass
        return result

    pool_cls.apply_async = apply_async
    _patch_results(module)
    hooks_process._worker_lost_hooks[wire.ROLE_POOL_WORKER] = _worker_lost
    hooks_process._child_failure_hooks[wire.ROLE_POOL_WORKER] = _worker_died
    hooks_threading.add_death_hook(_thread_died)
    hooks_process.add_exit_hook(_emit_swallowed)


def _patch_exception_text(module: "Any") -> None:
    """A task's traceback is formatted in the worker and printed by the parent when it
    re-raises: the tracer's wrappers (a task that starts a Process) are unlinked first."""
    base = getattr(module, "ExceptionWithTraceback", None)
    if base is None:
        return

    class ExceptionWithTraceback(base):  # type: ignore[misc, valid-type]
        def __init__(self, exc: "BaseException", tb: "Any") -> None:
            try:
                from .frames import hide_tracer_frames
                hide_tracer_frames(exc)
                tb = exc.__traceback__ if exc.__traceback__ is not None else tb
            except Exception:
                pass
            base.__init__(self, exc, tb)

    ExceptionWithTraceback.__module__ = base.__module__
    ExceptionWithTraceback.__qualname__ = base.__qualname__
    module.ExceptionWithTraceback = ExceptionWithTraceback


def _record_sent(pool: "Any") -> None:
    """The pool's task sender keeps each task until its result arrives."""
    quick_put = pool._quick_put

    def recording_put(task: "Any") -> "Any":
        if task is not None:
            try:
                _sent[(task[0], task[1])] = (task[2], task[3], task[4])
            except Exception:
                pass
        return quick_put(task)
    pool._quick_put = recording_put


def _wrap_init(cls: "Any") -> None:
    orig_init = cls.__init__

    def __init__(self: "Any", *args: "Any", **kwargs: "Any") -> None:
        orig_init(self, *args, **kwargs)
        _tls.last_job = getattr(self, "_job", None)

    cls.__init__ = __init__


def _wrap_imap(pool_cls: "Any", name: str) -> None:
    orig = getattr(pool_cls, name)

    def imap(self: "Any", func: "Any", iterable: "Any", chunksize: int = 1) -> "Any":
        _tls.last_job = None
        result = orig(self, func, iterable, chunksize)
        try:
            _register(_tls.last_job, name, func, chunksize, True, call_site())
        except Exception:
            pass
        return result

    imap.__name__ = imap.__qualname__ = name
    setattr(pool_cls, name, imap)


def _patch_results(module: "Any") -> None:
    apply_cls, map_cls = module.ApplyResult, module.MapResult
    get_code = apply_cls.get.__code__
    successful_code = apply_cls.successful.__code__

    for cls in (apply_cls, map_cls):
        _wrap_set(cls, track=True)
    for cls in (module.IMapIterator, getattr(module, "IMapUnorderedIterator", None)):
        if cls is not None and "_set" in cls.__dict__:
            _wrap_set(cls, track=False)

    # Retrieval is observed by reading _success from get()/successful(): a property instead
    # of a wrapper method, so no tracer frame ever appears in a re-raised traceback.
    def _get_success(self: "Any") -> "Any":
        value = self.__dict__.get("_success")
        if value is False:
            try:
                code = sys._getframe(1).f_code
                if code is get_code or code is successful_code:
                    self.__dict__["_workerscope_retrieved"] = True
                    _unretrieved.pop(self._job, None)
            except Exception:
                pass
        return value

    def _set_success(self: "Any", value: "Any") -> None:
        self.__dict__["_success"] = value

    apply_cls._success = property(_get_success, _set_success)


def _wrap_set(cls: "Any", track: bool) -> None:
    orig_set = cls.__dict__["_set"]

    def _set(self: "Any", i: int, obj: "Any") -> None:
        job = self._job
        sent = _sent.pop((job, i), None)
        if not track:  # an imap iterator: a failure is read when next() takes it
            try:
                if not obj[0]:
                    _imap_failed(self, job, i, obj[1], sent)
            except Exception:
                pass
        try:
            orig_set(self, i, obj)
        except KeyError as exc:
            _callback_lost(exc)
            raise
        if not track:
            return
        try:
            if self.__dict__.get("_success") is False and job not in _unretrieved \
                    and self._error_callback is None and not getattr(self, "_workerscope_seen", 0) \
                    and not self.__dict__.get("_workerscope_retrieved"):
                self._workerscope_seen = 1
                value = self._value
                info = _jobs.get(job) or {}
                args, kwargs = _task_args(info, sent, 0) if not info.get("indexed") else ([], {})
                _unretrieved[job] = {
                    "key": _key(os.getpid(), job), "chunk": i, "api": info.get("api"),
                    "task": {"function": info.get("function"), "args": args, "kwargs": kwargs,
                             "index": None, "submittedAt": info.get("submittedAt")},
                    "exception": runtime.exception_info(value)
                    if isinstance(value, BaseException) else None,
                    # a map's result holds its first failure only: unread, it loses them all
                    "allChunks": bool(info.get("indexed"))}
                if getattr(value, "__traceback__", None) is not None:  # raised in a ThreadPool
                    _unretrieved[job].update(_exc=value, thread=None)  # ran in one of its threads
                runtime.on_collected(self, ("pool", job), lambda k: _emit_unretrieved(k[1]))
                if self.__dict__.get("_workerscope_retrieved"):  # read while we registered
                    _unretrieved.pop(job, None)
        except Exception:
            pass

    cls._set = _set
