"""Hooks on ``multiprocessing.pool``: task attribution in workers, losses in the parent.

Worker side: ``pool.worker`` is replaced by a function with the same module/name (so it
pickles by reference) that wraps the worker's queues; ``get`` marks the task slot busy (and
feeds chunks of several elements through a counting generator), ``put`` of a failed result
emits ``task-exception`` with live frames.  No extra frame enters any traceback the user
sees.  Parent side: a dead worker's slot names the task it was running (jobs and their
results are pool_jobs's), a pool that can no longer finish arms the hang watch.
"""

import os
import sys
import threading
from time import time_ns as _time_ns

from . import hooks_process, hooks_threading, pool_jobs, runtime, wire
from .frames import describe_callable
from .runtime import state

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any, Dict, Optional, Tuple

_mod: "Any" = None
_mapstar: "Any" = None
_starmapstar: "Any" = None

_fallback_slot = [0] * 7

# Worker side.  The task being run is state.task: CPython's (job, i, func, args, kwds) as
# received, None before the first, _SENT once its result is sent.  Failures only (module globals,
# not a record: a class made at import would cost every traced process pages of its own):
_SENT = ()
# A result the worker could not send (it sends a MaybeEncodingError for the task next),
# CPython's (job, i, (success, value)):
_unsent: "Any" = None
# The exception of a task the worker received but could not unpickle (it ends the worker):
_unreadable: "Optional[BaseException]" = None


# ---- worker side ------------------------------------------------------------------------
# Runs once per task: kept to a few stores (the 100,000-task benchmark measures it).

# The worker's own slot is written by index (wire.py's layout), a few stores per task.
_KEY, _CHUNK, _POS, _BUSY = wire.SLOT_KEY, wire.SLOT_CHUNK, wire.SLOT_POS, wire.SLOT_BUSY
_LOCKED = wire.SLOT_LOCKED
_STARTED, _DONE = wire.SLOT_STARTED, wire.SLOT_DONE


class _InQueue(runtime.QueueProxy):
    __slots__ = ()

    # CPython's worker calls get() with no arguments; others are passed on as given.
    def get(self, *args: "Any") -> "Any":
        global _unreadable
        try:
            task = self._q.get(*args)
        except (EOFError, OSError) as exc:
            _task_dropped(exc)  # unless the pool is closing, a task is lost
            raise
        except BaseException as exc:
            _unreadable = exc
            raise
        if task is None:
            return task
        try:
            job, i, func, fargs, kwds = task
            slot = state.slot
            if slot is None:
                slot = _fallback_slot
            slot[_KEY] = job
            slot[_CHUNK] = i
            slot[_POS] = 0
            slot[_STARTED] = _time_ns() // 1000
            slot[_BUSY] = 1
            state.task = task
            if func is _mapstar or func is _starmapstar:
                user, items = fargs[0]
                if len(items) > 1:  # which element runs is published as the chunk goes
                    return (job, i, func, ((user, runtime.counting(items, slot)),), kwds)
        except Exception:
            runtime.swallowed()
        return task


class _OutQueue(runtime.QueueProxy):
    __slots__ = ()

    def put(self, obj: "Any") -> "Any":
        global _unsent
        try:
            job, i, (success, value) = obj
            if not success:
                _task_failed(job, i, value)
            if state.detect_races:
                runtime.flush_races()
        except Exception:
            runtime.swallowed()
        try:
            sent = self._q.put(obj)
        except BaseException:
            # Unpicklable: the worker sends a MaybeEncodingError for the same task next.
            _unsent = obj
            runtime.slot_end()
            raise
        slot = state.slot
        if slot is not None:
            slot[_BUSY] = 0
            slot[_DONE] += 1
        # CPython's worker drops the task once its result is sent: so does the tracer.
        state.task = _SENT
        return sent


def _unpicklable_position(results: "Any") -> "Optional[int]":
    """Which result of a chunk could not be pickled (the worker only says one of them)."""
    try:
        from multiprocessing.reduction import ForkingPickler
        for pos, result in enumerate(results):
            try:
                ForkingPickler.dumps(result)
            except Exception:  # not an error of ours: the answer (this result cannot be sent)
                return pos
    except Exception:
        runtime.swallowed()
    return None


def _running(job: int, i: int) -> "Tuple[Any, Any, bool, Any, Any]":
    """(function, chunk items or None, star, args, kwargs) of the task this worker took, if
    it is task (job, i); all None otherwise."""
    task = state.task
    if not task:
        return None, None, False, None, None
    task_job, task_i, func, fargs, kwds = task
    if task_job != job or task_i != i:
        return None, None, False, None, None
    if func is _mapstar or func is _starmapstar:
        user, items = fargs[0]
        return user, items, func is _starmapstar, None, None
    return func, None, False, fargs, kwds


def _task_failed(job: int, i: int, value: "Any") -> None:
    global _unsent
    exc = value
    ewt = getattr(_mod, "ExceptionWithTraceback", None)
    if ewt is not None and isinstance(value, ewt):
        exc = value.exc
    if not isinstance(exc, BaseException):
        return
    user, chunk, star, fargs, kwds = _running(job, i)
    unsent, _unsent = _unsent, None
    culprit = None
    if unsent is not None and isinstance(exc, getattr(_mod, "MaybeEncodingError", ())):
        unsent_job, unsent_i, (unsent_success, unsent_value) = unsent
        if unsent_job == job and unsent_i == i:
            if not unsent_success:
                return  # the task's own exception, reported when the worker first tried to send it
            if chunk is not None:
                culprit = _unpicklable_position(unsent_value)
    if user is not None and user is getattr(_mod, "_helper_reraises_exception", 0):
        return  # imap's own input iterable raised in the parent: no task of the worker failed
    from .safe_repr import repr_args, repr_kwargs, safe_repr  # failures only: loaded late
    pos = 0
    if chunk is not None:
        slot = state.slot if state.slot is not None else _fallback_slot
        pos = int(slot[wire.SLOT_POS]) if culprit is None else culprit
        try:
            element = chunk[pos]
            args = repr_args(element) if star else [safe_repr(element)]
        except Exception:
            args = []
            runtime.swallowed()
        task = {"function": describe_callable(user), "args": args, "kwargs": {}}
    elif user is not None:
        task = {"function": describe_callable(user), "args": repr_args(fargs or ()),
                "kwargs": repr_kwargs(kwds)}
    else:
        task = {"function": None, "args": [], "kwargs": {}}
    mpp = sys.modules.get("multiprocessing.process")
    owner = getattr(mpp.current_process(), "_parent_pid", None) if mpp is not None else None
    runtime.report_failure(wire.TASK_EXCEPTION, exc, exc.__traceback__,
                           key=pool_jobs.key(owner, job), chunk=i, pos=pos, task=task)


class _TrackedLock:
    """The worker's task-queue read lock, noting in the slot while it is held: a worker killed
    holding it (idle, waiting for a task) leaves every other worker unable to get one.  Taken
    once per task: it enters the semaphore itself, as ``SemLock.__enter__`` would, so it costs
    about what the lock's own Python-level methods cost."""

    __slots__ = ("_lock", "_slot", "_enter", "_exit")

    def __init__(self, lock: "Any", slot: "Any") -> None:
        self._lock = lock
        self._slot = slot
        inner = getattr(lock, "_semlock", lock)  # what SemLock.__enter__/__exit__ call
        self._enter = inner.__enter__
        self._exit = inner.__exit__

    def __enter__(self) -> "Any":
        entered = self._enter()
        self._slot[_LOCKED] = 1
        return entered

    def __exit__(self, exc_type: "Any", exc: "Any", tb: "Any") -> "Any":
        self._slot[_LOCKED] = 0
        return self._exit(exc_type, exc, tb)

    def __getattr__(self, name: str) -> "Any":
        return getattr(self._lock, name)


def _track_read_lock(inqueue: "Any") -> None:
    try:
        lock = getattr(inqueue, "_rlock", None)
        if state.slot is not None and lock is not None:
            inqueue._rlock = _TrackedLock(lock, state.slot)
    except Exception:
        runtime.swallowed()


def _wrap_worker_queues(proc: "Any") -> None:
    """In a new pool worker, before its target runs: the task and result queues it is given
    are wrapped (the target itself stays CPython's ``worker``)."""
    global _unsent, _unreadable
    args = proc._args
    if len(args) < 2:
        return
    state.task = _unsent = _unreadable = None  # a worker forked from a worker starts with no task
    _track_read_lock(args[0])
    proc._args = (_InQueue(args[0]), _OutQueue(args[1])) + tuple(args[2:])


def _worker_died(proc: "Any", exc: "BaseException") -> bool:
    """An exception escaped a pool worker (it is printed and the worker exits 1): a task it
    could not unpickle, or its initializer.  Either leaves the pool unable to finish — the
    task is gone, or every replacement worker fails the same way — so besides the failure
    (once for workers failing alike) a ``pool-stalled`` record arms the hang watch."""
    owner = getattr(proc, "_parent_pid", None) or os.getppid()
    from .safe_repr import repr_args, safe_repr
    if _unreadable is exc:
        _unreadable_task(proc, owner, exc, "task-unreadable",
                         once=(owner, "unreadable %s %s" % (type(exc).__qualname__,
                                                            safe_repr(exc))))
        return True
    args = getattr(proc, "_args", ())
    initializer = args[2] if len(args) > 3 else None
    if initializer is None or state.task is not None:
        return False  # it had run tasks: not its initializer
    task = {"function": describe_callable(initializer), "args": repr_args(args[3] or ()),
            "kwargs": {}}
    if runtime.first_time(owner, "initializer %s %s" % (task["function"],
                                                        type(exc).__qualname__)):
        runtime.report_failure(wire.PROCESS_EXCEPTION, exc, exc.__traceback__, task=task)
    else:  # a replacement failed too: the pool cannot get a working worker
        _stalled(owner, "initializer-failed", proc, task=task)
    return True


def _unreadable_task(proc: "Any", owner: int, exc: "BaseException", reason: str,
                     once: "Any" = None) -> None:
    """A task this worker received but could not load is lost: its failure (named by the
    job and chunk read from the pickle's first two integers, nothing loaded) and the stall
    it leaves the pool in."""
    ids = runtime.pickled_ints(runtime.received_bytes(exc.__traceback__), 2)
    key, chunk = (pool_jobs.key(owner, ids[0]), ids[1]) if ids else (None, None)
    runtime.report_failure(wire.TASK_EXCEPTION, exc, exc.__traceback__, once=once, key=key,
                           chunk=chunk, pos=0, task={"function": None, "args": [], "kwargs": {}})
    _stalled(owner, reason, proc, key, chunk)


def _task_dropped(exc: "BaseException") -> None:
    """CPython's worker takes an OSError or EOFError from its task queue for the pool
    closing and leaves quietly (exit 0): when the task had in fact arrived and only loading
    it failed (a proxy whose Manager is dead refuses the connection), the task is dropped
    and the pool waits for it forever."""
    try:
        if runtime.received_bytes(exc.__traceback__) is None:
            return  # the queue itself closed: the pool is shutting down
        mpp = sys.modules.get("multiprocessing.process")
        proc = mpp.current_process() if mpp is not None else None
        owner = getattr(proc, "_parent_pid", None) or os.getppid()
        _unreadable_task(proc, owner, exc, "task-dropped")
    except Exception:
        runtime.swallowed()


def _stalled(owner: int, reason: str, proc: "Any" = None, key: "Optional[str]" = None,
             chunk: "Optional[int]" = None, task: "Optional[Dict[str, Any]]" = None) -> None:
    """Arms the hang watch: the pool can no longer finish (written by the dying worker
    ``proc``, or by the pool's owner itself)."""
    runtime.emit(wire.POOL_STALLED, owner=owner, child=os.getpid() if proc is not None else None,
                 worker=proc.name if proc is not None else None, key=key, chunk=chunk,
                 task=task, reason=reason)


def _callback_lost(exc: "KeyError", job: "Optional[int]" = None) -> None:
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
        _stalled_job(os.getpid(), "callback-raised", job, 0)
    except Exception:
        runtime.swallowed()


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
            job = chunk = None
            if tb.tb_frame.f_code.co_name == "_handle_results":
                # A result it could not load: (job, i, (success, value)), its first integers.
                ids = runtime.pickled_ints(runtime.received_bytes(tb), 2)
                if ids:
                    job, chunk = ids
            _stalled_job(os.getpid(), "handler-died", job, chunk)
            return
        tb = tb.tb_next


def _stalled_job(owner: int, reason: str, job: "Optional[int]", chunk: "Optional[int]") -> None:
    """The pool's owner finds it cannot finish, because of job ``job`` (when known): the hang
    names that job's task."""
    if job is None or job not in pool_jobs._jobs:
        _stalled(owner, reason)
        return
    _stalled(owner, reason, key=pool_jobs.key(owner, job), chunk=chunk,
             task=pool_jobs.task_for(job, chunk or 0, 0))


# ---- parent side (jobs and results: pool_jobs) ---------------------------------------------

def _worker_lost(proc: "Any", code: int, slot: "Dict[str, int]") -> None:
    job, chunk, pos = slot["key"], slot["chunk"], slot["pos"]
    if not slot["busy"] or not pool_jobs.pending(job, chunk):
        # Idle (or killed after its result arrived, before it could mark its slot idle): no
        # task to blame.  Holding the task queue's read lock, it still leaves the pool stuck.
        if slot["locked"]:
            runtime.emit(wire.WORKER_LOST, child=proc.pid, worker=proc.name,
                         role=wire.ROLE_POOL_WORKER, exitCode=code,
                         signal=hooks_process.signal_name(code), key=None, chunk=None, pos=None,
                         task=None, heldTaskQueueLock=True,
                         frames=hooks_process.fault_frames(proc.pid))
        return
    runtime.emit(wire.WORKER_LOST, child=proc.pid, worker=proc.name, role=wire.ROLE_POOL_WORKER,
                 exitCode=code, signal=hooks_process.signal_name(code),
                 key=pool_jobs.key(os.getpid(), job), chunk=chunk, pos=pos,
                 task=pool_jobs.task_for(job, chunk, pos),
                 frames=hooks_process.fault_frames(proc.pid))


def patch(module: "Any") -> None:
    """Patch multiprocessing.pool (called right after it is imported)."""
    global _mod, _mapstar, _starmapstar
    if not runtime.claim(module):
        return
    _mod = module
    _mapstar, _starmapstar = module.mapstar, module.starmapstar
    pool_cls = module.Pool


    repopulate = pool_cls.__dict__.get("_repopulate_pool_static")
    if isinstance(repopulate, staticmethod):
        pool_cls._repopulate_pool_static = staticmethod(
            hooks_process.starting_together(repopulate.__func__))

    pool_jobs.callback_lost = _callback_lost
    pool_jobs.patch(module)
    _patch_exception_text(module)
    hooks_process._worker_lost_hooks[wire.ROLE_POOL_WORKER] = _worker_lost
    hooks_process._child_failure_hooks[wire.ROLE_POOL_WORKER] = _worker_died
    hooks_process._child_run_hooks[wire.ROLE_POOL_WORKER] = _wrap_worker_queues
    hooks_threading.add_death_hook(_thread_died)
    hooks_process.add_exit_hook(pool_jobs.emit_swallowed)


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
                runtime.swallowed()
            base.__init__(self, exc, tb)

    ExceptionWithTraceback.__module__ = base.__module__
    ExceptionWithTraceback.__qualname__ = base.__qualname__
    module.ExceptionWithTraceback = ExceptionWithTraceback
