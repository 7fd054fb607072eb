"""Hooks on ``concurrent.futures``: ProcessPoolExecutor task attribution and unretrieved Futures.

Worker side: ``_process_worker`` is replaced by a same-named function wrapping the call
queue (slot + counting generator for ``map`` chunks); the task's exception is captured in
``_ExceptionWithTraceback.__init__`` before CPython clears its traceback.  Parent side:
``submit``/``map`` record each work item; when the pool breaks, the dead worker's slot
names the task that killed it; failed Futures whose ``result()``/``exception()`` is never
called are reported at exit as ``swallowed``.
"""

import functools
import itertools
import os
import sys
import threading

from . import hooks_process, runtime, wire
from .frames import call_site, describe_callable
from .runtime import state

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any, Dict, Optional, Tuple

_tls = threading.local()  # .map: the executor.map running in this thread (see _mapping)
# (executor key, work id) -> what its failure, or the worker lost running it, is named by, kept
# until its Future completes.  The Future is tagged with that key as ``_workerscope`` and, made
# by an executor.map, with the map's group as ``_workerscope_group`` (retrieving one failure
# reads the map): a Future the program keeps keeps no arguments.
_tasks: "Dict[Tuple[str, int], Dict[str, Any]]" = {}
_executors: "Dict[str, Any]" = {}                        # executor key -> weakref to it
_broken_done: "set" = set()
_unretrieved: "Dict[Tuple[str, int], Dict[str, Any]]" = {}
_groups_retrieved: "set" = set()
_cfp: "Any" = None
_map_groups = itertools.count(1)  # one per executor.map call: retrieving one failure reads all

_fallback_slot = [0] * 7

# Worker side.  The work item being run is state.task, as received (None between items: CPython
# drops it once its result is sent), and state.chunk the elements of the map chunk it runs.
# The exception of a work item the worker received but could not unpickle (it ends the worker):
_unreadable: "Optional[BaseException]" = None


def _worker_key() -> str:
    mpp = sys.modules.get("multiprocessing.process")
    return getattr(mpp.current_process(), "_workerscope_key", "?") if mpp else "?"


class _CallQueue(runtime.QueueProxy):
    __slots__ = ()

    def get(self, *args: "Any", **kwargs: "Any") -> "Any":
        global _unreadable
        try:
            item = self._q.get(*args, **kwargs)
        except BaseException as exc:
            _unreadable = exc
            raise
        if item is None:
            return item
        try:
            fn = item.fn
            runtime.slot_begin(item.work_id, 0)
            state.task = item
            if isinstance(fn, functools.partial) and fn.func is _cfp._process_chunk and fn.args:
                slot = state.slot if state.slot is not None else _fallback_slot
                slot[wire.SLOT_POS] = 0
                state.chunk = items = item.args[0]
                item.args = (runtime.counting(items, slot),) + tuple(item.args[1:])
            else:
                state.chunk = None
        except Exception:
            runtime.swallowed()
        return item


def _task_failed(exc: "BaseException", tb: "Any") -> None:
    item, chunk = state.task, state.chunk
    if item is None or not isinstance(exc, BaseException):
        return
    from .safe_repr import repr_args, repr_kwargs  # failures only: loaded late
    pos = 0
    if chunk is not None:  # item.fn is partial(_process_chunk, the user's function)
        fn = item.fn.args[0]
        slot = state.slot if state.slot is not None else _fallback_slot
        pos = int(slot[wire.SLOT_POS])
        try:
            args = repr_args(chunk[pos])
        except Exception:
            args = []
            runtime.swallowed()
        kwargs: "Dict[str, str]" = {}
    else:
        fn = item.fn
        args, kwargs = repr_args(item.args or ()), repr_kwargs(item.kwargs)
    runtime.report_failure(wire.TASK_EXCEPTION, exc, tb,
                           key="%s:%s" % (_worker_key(), item.work_id), chunk=0, pos=pos,
                           task={"function": describe_callable(fn), "args": args,
                                 "kwargs": kwargs})


def _worker_died(proc: "Any", exc: "BaseException") -> bool:
    """An exception escaped an executor worker: a work item it could not unpickle (under
    spawn or forkserver, a function defined under the ``__main__`` guard).  The executor then
    breaks; the failure names the submitted task, once for workers failing alike."""
    if _unreadable is not exc:
        return False
    from .safe_repr import safe_repr
    owner = getattr(proc, "_parent_pid", None) or os.getppid()
    # A pickled _CallItem's state: the integer right after the name "work_id".
    ids = runtime.pickled_ints(runtime.received_bytes(exc.__traceback__), 1, after="work_id")
    work_id = ids[0] if ids else None
    key = getattr(proc, "_workerscope_key", None)
    runtime.report_failure(wire.TASK_EXCEPTION, exc, exc.__traceback__,
                           once=(owner, "executor unreadable %s %s" % (type(exc).__qualname__,
                                                                       safe_repr(exc))),
                           key="%s:%d" % (key, work_id) if key and work_id is not None else None,
                           chunk=0, pos=0, task={"function": None, "args": [], "kwargs": {}})
    return True


def _watch_initializer(initializer: "Any", initargs: "Any") -> None:
    """An executor worker whose initializer raises logs it and returns, and the executor then
    breaks with no word of why: the log record's exception is reported (once for workers
    failing alike), and the record goes on to be printed as before."""
    logger = getattr(sys.modules.get("concurrent.futures._base"), "LOGGER", None)
    if initializer is None or logger is None:
        return

    def initializer_failed(record: "Any") -> bool:
        try:
            exc = record.exc_info[1] if record.exc_info else None
            if isinstance(exc, BaseException) and "initializer" in str(record.msg):
                from .safe_repr import repr_args
                task = {"function": describe_callable(initializer),
                        "args": repr_args(initargs or ()), "kwargs": {}}
                mpp = sys.modules.get("multiprocessing.process")
                owner = getattr(mpp.current_process(), "_parent_pid", None) if mpp else None
                runtime.report_failure(
                    wire.PROCESS_EXCEPTION, exc, exc.__traceback__, task=task,
                    once=(owner or os.getppid(), "executor initializer %s %s" % (
                        task["function"], type(exc).__qualname__)))
        except Exception:
            runtime.swallowed()
        return True

    logger.addFilter(initializer_failed)


def _wrap_worker_queue(proc: "Any") -> None:
    """In a new executor worker, before its target runs: its call queue is wrapped in its own
    arguments (the target stays CPython's ``_process_worker``) and its initializer watched."""
    args = proc._args
    if not args:
        return
    try:
        _watch_initializer(args[2] if len(args) > 2 else None, args[3] if len(args) > 3 else ())
    except Exception:
        runtime.swallowed()
    proc._args = (_CallQueue(args[0]),) + tuple(args[1:])


def _mapping(orig_map: "Any") -> "Any":
    """An executor's ``map``: the submits it makes are one group (retrieving one failure
    reads the map), numbered for their index, with the map's call site."""
    def map(self: "Any", fn: "Any", *iterables: "Any", **kwargs: "Any") -> "Any":
        chunksize = kwargs.get("chunksize", 1)
        _tls.map = {"fn": fn, "chunksize": chunksize if isinstance(chunksize, int) else 1,
                    "n": 0, "site": call_site(), "group": next(_map_groups)}
        try:
            return orig_map(self, fn, *iterables, **kwargs)
        finally:
            _tls.map = None

    return runtime.rename_like(map, orig_map)


def patch_process(module: "Any") -> None:
    """Patch concurrent.futures.process (called right after it is imported)."""
    global _cfp
    if not runtime.claim(module):
        return
    _cfp = module
    original_sendback = module._sendback_result

    def _sendback_result(*args: "Any", **kwargs: "Any") -> "Any":
        try:
            return original_sendback(*args, **kwargs)
        finally:
            runtime.slot_end()
            # CPython drops the work item right after sending its result: so does the tracer.
            state.task = state.chunk = None

    module._sendback_result = runtime.rename_like(_sendback_result, original_sendback)

    base_ewt = module._ExceptionWithTraceback

    class _ExceptionWithTraceback(base_ewt):  # type: ignore[misc, valid-type]
        def __init__(self, exc: "BaseException", tb: "Any") -> None:
            try:
                _task_failed(exc, tb)
                from .frames import hide_tracer_frames
                hide_tracer_frames(exc)  # the text sent to the parent is formatted next
            except Exception:
                runtime.swallowed()
            base_ewt.__init__(self, exc, exc.__traceback__ if exc.__traceback__ is not None
                              else tb)

    _ExceptionWithTraceback.__module__ = base_ewt.__module__
    _ExceptionWithTraceback.__qualname__ = base_ewt.__qualname__
    module._ExceptionWithTraceback = _ExceptionWithTraceback

    executor = module.ProcessPoolExecutor
    orig_submit = executor.submit
    orig_map = executor.map

    def submit(*args: "Any", **kwargs: "Any") -> "Any":
        self, fn = args[0], args[1] if len(args) > 1 else kwargs.get("fn")
        work_id = getattr(self, "_queue_count", None)
        future = orig_submit(*args, **kwargs)
        try:
            _record_submit(self, fn, args[2:], kwargs, work_id, future)
        except Exception:
            runtime.swallowed()
        return future

    executor.submit = runtime.rename_like(submit, orig_submit)
    executor.map = _mapping(orig_map)
    adjust = executor.__dict__.get("_adjust_process_count")
    if adjust is not None:  # starts the workers (all of them at once under fork)
        executor._adjust_process_count = hooks_process.starting_together(adjust)
    hooks_process.add_exit_hook(_emit_swallowed)
    hooks_process._child_failure_hooks[wire.ROLE_EXECUTOR_WORKER] = _worker_died
    hooks_process._child_run_hooks[wire.ROLE_EXECUTOR_WORKER] = _wrap_worker_queue


def patch_thread(module: "Any") -> None:
    """Patch concurrent.futures.thread: a ThreadPoolExecutor's failed Futures are remembered
    like a process executor's, and reported at exit if never retrieved (a retrieved one
    reached the program, which handled it)."""
    executor = module.ThreadPoolExecutor
    work_item = getattr(module, "_WorkItem", None)
    if work_item is None or not runtime.claim(executor):
        return
    orig_init = work_item.__init__
    orig_map = executor.map
    work_ids = itertools.count(1)  # next() is atomic: submits may come from several threads

    # The Future is tagged as its work item is made, before a thread can run it and fail.
    def __init__(self: "Any", future: "Any", fn: "Any", args: "Any", kwargs: "Any") -> None:
        orig_init(self, future, fn, args, kwargs)
        try:
            work_id = next(work_ids)
            key = "%d:thread" % os.getpid()
            ctx = getattr(_tls, "map", None)
            if ctx is not None:
                user, api, site, index = ctx["fn"], "map", ctx["site"], ctx["n"]
                ctx["n"] += 1
                future._workerscope_group = ctx["group"]
            else:
                user, api, site, index = fn, "submit", call_site(), None
            # Described only if it fails: most thread-pool tasks do not.
            _tasks[(key, work_id)] = {"fn": user, "api": api, "submittedAt": site,
                                      "indexBase": index, "indexed": index is not None,
                                      "chunked": False, "args": args, "kwargs": kwargs}
            future._workerscope = (key, work_id)  # see _tasks
        except Exception:
            runtime.swallowed()

    work_item.__init__ = runtime.rename_like(__init__, orig_init)
    executor.map = _mapping(orig_map)
    hooks_process.add_exit_hook(_emit_swallowed)


def _record_submit(executor: "Any", fn: "Any", args: "Tuple[Any, ...]", kwargs: "Dict[str, Any]",
                   work_id: "Optional[int]", future: "Any") -> None:
    if work_id is None:
        return
    key = "%d:exec%d" % (os.getpid(), id(executor._call_queue))
    ctx = getattr(_tls, "map", None)
    if ctx is not None:
        user, chunksize, api, site = ctx["fn"], ctx["chunksize"], "map", ctx["site"]
        base = ctx["n"] * chunksize
        ctx["n"] += 1
        future._workerscope_group = ctx["group"]
    else:
        user, chunksize, api, site, base = fn, 1, "submit", call_site(3), 0
    info = {"key": "%s:%d" % (key, work_id), "api": api, "function": describe_callable(user),
            "chunksize": 1, "indexBase": base, "indexed": ctx is not None, "submittedAt": site}
    _tasks[(key, work_id)] = dict(info, args=args, kwargs=kwargs, chunked=ctx is not None)
    if key not in _executors:  # weakly: a shut-down executor's processes must be let go
        import weakref
        _executors[key] = weakref.ref(executor, lambda _ref, k=key: _executors.pop(k, None))
    future._workerscope = (key, work_id)  # see _tasks
    if state.timeline:
        from .timeline import def_site
        info = dict(info, **{"def": def_site(user)})
    runtime.emit(wire.SUBMIT, **info)


def _task_repr(info: "Dict[str, Any]", pos: int) -> "Dict[str, Any]":
    from .safe_repr import repr_args, repr_kwargs
    if info.get("chunked"):
        try:
            args = repr_args(info["args"][0][pos])
        except Exception:
            args = []
            runtime.swallowed()
        kwargs: "Dict[str, str]" = {}
        index: "Optional[int]" = info["indexBase"] + pos
    else:
        args, kwargs = repr_args(info.get("args") or ()), repr_kwargs(info.get("kwargs"))
        index = info.get("indexBase") if info.get("indexed") else None
    function = info.get("function")
    if function is None and "fn" in info:  # a thread pool's task: described once it is needed
        function = describe_callable(info["fn"])
    return {"function": function, "args": args, "kwargs": kwargs, "index": index,
            "submittedAt": info.get("submittedAt")}


def _pool_broken(key: str) -> None:
    """The executor reported BrokenProcessPool: name the task its dead worker was running.

    This runs in the executor's manager thread, before any Future learns of the break.  With
    the debugger stopping at failures, that thread then waits for it (as a failing worker
    does) on the dead worker's behalf: the caller gets BrokenProcessPool only after Continue,
    so a program that ends right after it cannot end before its stop is shown."""
    if key in _broken_done:
        return
    _broken_done.add(key)
    ref = _executors.pop(key, None)
    executor = ref() if ref is not None else None
    # The executor's own dict, or (the executor already collected) its manager thread's.
    procs = getattr(executor, "_processes", None) \
        or getattr(threading.current_thread(), "processes", None) or {}
    held = []
    for pid, proc in list(procs.items()):
        try:
            if getattr(proc, "_workerscope_terminated", False):
                continue
            code = hooks_process.exit_code_soon(proc)
            if code is None:
                continue
            slot = runtime.read_slot(pid, proc)
            if slot is None or not slot["busy"]:
                continue
            work_id, pos = slot["key"], slot["pos"]
            info = _tasks.get((key, work_id)) or {}
            failure_id = runtime.next_failure_id()
            hold = runtime.failure_pauses(wire.WORKER_LOST)
            if runtime.emit(wire.WORKER_LOST, id=failure_id, child=pid, worker=proc.name,
                            role=wire.ROLE_EXECUTOR_WORKER, exitCode=code,
                            signal=hooks_process.signal_name(code),
                            key="%s:%d" % (key, work_id), chunk=0, pos=pos,
                            task=_task_repr(info, pos), frames=hooks_process.fault_frames(pid),
                            paused=hold) and hold:
                held.append((failure_id, pid))
        except Exception:
            runtime.swallowed()
    if held:
        from . import pause
        for failure_id, pid in held:  # one after another: each is its own stop
            pause.wait_for_debugger(failure_id, [], pid=pid)


def _emit_swallowed() -> None:
    for k in list(_unretrieved):
        _emit_unretrieved(k)


def _emit_unretrieved(k: "Any") -> None:
    """At exit, or once the Future is garbage: its failure was never retrieved."""
    item = _unretrieved.pop(k, None)
    if item is not None and item.pop("group", None) not in _groups_retrieved:
        runtime.emit_swallowed(item)


# Long: the Future wrappers close over the originals and the set of reader code objects they
# share; one patcher captures them all before any method is replaced.
def patch_base(module: "Any") -> None:
    """Patch concurrent.futures._base.Future (called right after it is imported)."""
    future_cls = module.Future
    if not runtime.claim(future_cls):
        return
    orig_set_exception = future_cls.set_exception
    orig_set_result = future_cls.set_result
    readers = {future_cls.exception.__code__}
    getter = getattr(future_cls, "_Future__get_result", None)
    if getter is not None:
        readers.add(getter.__code__)
    else:
        readers.add(future_cls.result.__code__)

    def set_exception(self: "Any", exception: "Any") -> None:
        tag = getattr(self, "_workerscope", None)
        if tag is not None:
            try:
                key, work_id = tag
                if type(exception).__name__ != "BrokenProcessPool":
                    info = _tasks.get(tag) or {}  # gone once the future was cancelled
                    # Registered before the future completes: a waiter or done-callback may
                    # retrieve it from inside orig_set_exception.
                    task = _task_repr(info, 0)
                    if info.get("chunked"):
                        task["args"], task["index"] = [], None
                    _unretrieved[tag] = {
                        "key": "%s:%d" % (key, work_id), "chunk": 0, "api": info.get("api"),
                        "task": task, "exception": runtime.exception_info(exception),
                        "group": self.__dict__.get("_workerscope_group")}
                    if ":thread" in key:
                        _unretrieved[tag].update(
                            _exc=exception, thread=threading.current_thread().name)
                    runtime.on_collected(self, ("future", key, work_id),
                                         lambda k: _emit_unretrieved(k[1:]))
                else:
                    _pool_broken(key)
            except Exception:
                runtime.swallowed()
        orig_set_exception(self, exception)
        if tag is not None:
            _tasks.pop(tag, None)
            if self.__dict__.get("_workerscope_retrieved"):
                _unretrieved.pop(tag, None)

    def set_result(self: "Any", result: "Any") -> None:
        orig_set_result(self, result)
        tag = getattr(self, "_workerscope", None)
        if tag is not None:
            _tasks.pop(tag, None)

    # Retrieval is seen when result()/exception() read _exception: a property, so no tracer
    # frame appears in the traceback of the exception result() re-raises.
    def _get_exception(self: "Any") -> "Any":
        value = self.__dict__.get("_exception")
        if value is not None:
            try:
                tag = self.__dict__.get("_workerscope")
                if tag is not None and sys._getframe(1).f_code in readers:
                    self.__dict__["_workerscope_retrieved"] = True
                    _unretrieved.pop(tag, None)
                    group = self.__dict__.get("_workerscope_group")
                    if group is not None:
                        _groups_retrieved.add(group)
            except Exception:
                runtime.swallowed()
        return value

    def _set_exception_attr(self: "Any", value: "Any") -> None:
        self.__dict__["_exception"] = value

    future_cls.set_exception = runtime.rename_like(set_exception, orig_set_exception)
    future_cls.set_result = runtime.rename_like(set_result, orig_set_result)
    orig_cancel = future_cls.cancel

    def cancel(self: "Any") -> bool:
        cancelled = orig_cancel(self)
        tag = self.__dict__.get("_workerscope")
        if cancelled and tag is not None:
            _tasks.pop(tag, None)  # it will never run: forget its arguments
        return cancelled

    future_cls.cancel = runtime.rename_like(cancel, orig_cancel)
    future_cls._exception = property(_get_exception, _set_exception_attr)
