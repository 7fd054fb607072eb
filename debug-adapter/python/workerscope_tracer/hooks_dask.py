"""Dask's ``distributed``: tasks submitted by a ``Client`` and run by its workers, named.

On the client, ``Client.submit`` and ``Client.map`` record each future's key with the function
and the line that submitted it.  In a worker process, ``apply_function`` (the worker runs every
plain task through it) reports a task that raised, with the worker's frames, and names the task
a worker is running while it runs, so a worker that leaves by ``os._exit`` names it too.  In
the process of a LocalCluster's scheduler and nannies, a worker that dies by a signal is named
with the task the scheduler had on it, and a kill by the nanny's memory limit with that cause.
Every wrapper returns what Dask's own function returns and raises what it raises.
"""

from . import runtime, wire

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple

KEY_PREFIX = "dask:"


def task_key(key: "Any") -> str:
    """The key records carry: Dask's own key (a string, or a tuple for collections' tasks)."""
    return KEY_PREFIX + str(key)


# ---- client side --------------------------------------------------------------------------

def _emit_submit(future: "Any", func: "Any", api: str, site: "Any") -> None:
    from .frames import describe_callable
    key = getattr(future, "key", None)
    if key is None:
        return
    runtime.emit(wire.SUBMIT, key=task_key(key), api=api, function=describe_callable(func),
                 chunksize=1, indexBase=0, indexed=False, submittedAt=site)


def _wrap_submit(original: "Any") -> "Any":
    def submit(self: "Any", func: "Any", *args: "Any", **kwargs: "Any") -> "Any":
        future = original(self, func, *args, **kwargs)
        try:
            from .frames import call_site
            _emit_submit(future, func, "submit", call_site(2))
        except Exception:
            runtime.swallowed()
        return future

    return runtime.rename_like(submit, original)


def _wrap_map(original: "Any") -> "Any":
    def map(self: "Any", func: "Any", *iterables: "Any", **kwargs: "Any") -> "Any":
        futures = original(self, func, *iterables, **kwargs)
        try:
            from .frames import call_site
            site = call_site(2)
            # Dask returns a list, or an iterator for iterator input: that one is left alone
            # (reading it here would consume what the program reads).
            if isinstance(futures, list):
                for future in futures:
                    _emit_submit(future, func, "map", site)
        except Exception:
            runtime.swallowed()
        return futures

    return runtime.rename_like(map, original)


def patch_client(module: "Any") -> None:
    client = getattr(module, "Client", None)
    if client is None or not runtime.claim(client):
        return
    for name, wrap in (("submit", _wrap_submit), ("map", _wrap_map)):
        original = client.__dict__.get(name)
        if original is not None:
            setattr(client, name, wrap(original))


# ---- worker side --------------------------------------------------------------------------

def _user_call(function: "Any", args: "Any", kwargs: "Any") -> "Tuple[Any, Any, Any]":
    """``submit(f, x, k=1)`` travels as ``apply(f, [x], {'k': 1})``: name ``f`` and its own
    arguments, not ``apply``'s."""
    if getattr(function, "__name__", None) == "apply" and \
            str(getattr(function, "__module__", "")).startswith("dask") and \
            isinstance(args, (tuple, list)) and len(args) >= 2 and callable(args[0]):
        inner_kwargs = args[2] if len(args) > 2 and isinstance(args[2], dict) else {}
        return args[0], args[1], inner_kwargs
    return function, args, kwargs


def _describe_task(function: "Any", args: "Any", kwargs: "Any") -> "Dict[str, Any]":
    from .frames import describe_callable
    from .safe_repr import repr_args, repr_kwargs
    function, args, kwargs = _user_call(function, args, kwargs)
    return {"function": describe_callable(function), "args": repr_args(args or ()),
            "kwargs": repr_kwargs(kwargs or {})}


def _arguments(call_args: "Tuple[Any, ...]", call_kwargs: "Dict[str, Any]",
               names: "List[str]") -> "List[Any]":
    """``apply_function``'s own arguments by name, however Dask passed them."""
    values = list(call_args[:len(names)])
    for name in names[len(values):]:
        values.append(call_kwargs.get(name))
    return values


def _running_for(call_args: "Tuple[Any, ...]", call_kwargs: "Dict[str, Any]",
                 has_key: bool) -> "Optional[Dict[str, Any]]":
    """The task an ``apply_function`` call is about to run, registered as this thread's."""
    try:
        names = ["function", "args", "kwargs", "execution_state", "key"] if has_key \
            else ["function", "args", "kwargs"]
        values = _arguments(call_args, call_kwargs, names)
        return _begin(values[0], values[1], values[2], values[4] if has_key else _current_key())
    except Exception:
        runtime.swallowed()
        return None


def _wrap_apply(original: "Any", has_key: bool) -> "Any":
    def apply_function(*call_args: "Any", **call_kwargs: "Any") -> "Any":
        running = _running_for(call_args, call_kwargs, has_key)
        try:
            msg = original(*call_args, **call_kwargs)
        finally:
            _end(running)
        _report_if_erred(msg, running)
        return msg

    return runtime.rename_like(apply_function, original)


def _wrap_apply_async(original: "Any") -> "Any":
    """The same for ``apply_function_async`` (a coroutine function, as the wrapper is)."""
    async def apply_function_async(*call_args: "Any", **call_kwargs: "Any") -> "Any":
        running = _running_for(call_args, call_kwargs, False)
        try:
            msg = await original(*call_args, **call_kwargs)
        finally:
            _end(running)
        _report_if_erred(msg, running)
        return msg

    return runtime.rename_like(apply_function_async, original)


def _current_key() -> "Any":
    worker = __import__("distributed.worker", fromlist=["thread_state"])
    return getattr(getattr(worker, "thread_state", None), "key", None)


# Thread ident -> (key, task) of the task that thread runs now.
_running: "Dict[int, Tuple[Optional[str], Dict[str, Any]]]" = {}


def _thread_task() -> "Optional[Tuple[Optional[str], Dict[str, Any]]]":
    import threading
    return _running.get(threading.get_ident())


def _begin(function: "Any", args: "Any", kwargs: "Any", key: "Any") -> "Dict[str, Any]":
    """The task this thread runs, where the ``os._exit`` watch of hooks_process reads what
    the process was running (runtime.exiting_task)."""
    import threading
    running = {"task": _describe_task(function, args, kwargs),
               "key": task_key(key) if key is not None else None,
               "thread": threading.get_ident()}
    _running[running["thread"]] = (running["key"], running["task"])
    return running


def _end(running: "Optional[Dict[str, Any]]") -> None:
    if running is not None:
        _running.pop(running["thread"], None)


def _report_if_erred(msg: "Any", running: "Optional[Dict[str, Any]]") -> None:
    """Dask hands a task's exception back in the message (``op: task-erred``), never raises it
    here: reported as a task failure of this worker, with its traceback's frames."""
    try:
        if running is None or not isinstance(msg, dict) or msg.get("op") != "task-erred":
            return
        exc = msg.get("actual-exception")
        if not isinstance(exc, BaseException):
            return
        runtime.report_failure(wire.TASK_EXCEPTION, exc, exc.__traceback__,
                               key=running["key"], chunk=0, pos=0, task=running["task"])
    except Exception:
        runtime.swallowed()


def patch_worker(module: "Any") -> None:
    if not runtime.claim(module, "_workerscope_dask_patched"):
        return
    import inspect
    for name in ("apply_function", "apply_function_async"):
        original = getattr(module, name, None)
        if original is None or not callable(original):
            continue
        if inspect.iscoroutinefunction(original):
            setattr(module, name, _wrap_apply_async(original))
        else:
            setattr(module, name, _wrap_apply(original, name == "apply_function"))
    runtime.thread_task = _thread_task


# ---- the cluster's side, in the process that runs a LocalCluster's scheduler and nannies ---

# Worker pid -> what the scheduler had it running when it removed the worker: (keys, memory
# limit in bytes or None).
_removed: "Dict[int, Tuple[List[str], Any]]" = {}
# Worker pid -> the nanny's memory verdict: (rss in bytes or None, limit, terminate fraction).
_memory_kills: "Dict[int, Tuple[Any, Any, Any]]" = {}


def _processing(ws: "Any") -> "List[str]":
    return sorted(str(ts.key) for ts in list(getattr(ws, "processing", ()) or ()))


def _wrap_remove_worker(original: "Any") -> "Any":
    async def remove_worker(self: "Any", *args: "Any", **kwargs: "Any") -> "Any":
        try:
            address = args[0] if args else kwargs.get("address")
            ws = self.workers.get(address) if address is not None else None
            pid = getattr(ws, "pid", None)
            if isinstance(pid, int) and not kwargs.get("safe", False):
                _removed[pid] = (_processing(ws), getattr(ws, "memory_limit", None))
        except Exception:
            runtime.swallowed()
        return await original(self, *args, **kwargs)

    return runtime.rename_like(remove_worker, original)


def _live_processing(pid: int) -> "Optional[Tuple[List[str], Any]]":
    """What a scheduler of this process still has the worker with this pid running."""
    scheduler = __import__("distributed.scheduler", fromlist=["Scheduler"]).Scheduler
    for instance in list(getattr(scheduler, "_instances", ()) or ()):
        for ws in list(getattr(instance, "workers", {}).values()):
            if getattr(ws, "pid", None) == pid:
                return _processing(ws), getattr(ws, "memory_limit", None)
    return None


def _mib(n: "Any") -> str:
    return "%.0f MiB" % (n / 1048576.0) if isinstance(n, (int, float)) else "?"


def _child_task(pid: int) -> "Tuple[Optional[str], Any, Optional[str]]":
    """The Dask task a dead worker process was running (the scheduler's view), and why it died
    when the nanny killed it for memory."""
    found = _removed.pop(pid, None) or _live_processing(pid)
    memory = _memory_kills.pop(pid, None)
    keys = found[0] if found else []
    cause = None
    if memory is not None:  # only then a cause: it makes the nanny's own kill a failure
        rss, limit, fraction = memory
        cause = "the nanny's memory limit: %s in use, over %.0f%% of %s; Dask restarted " \
            "the worker" % (_mib(rss), (fraction or 0) * 100, _mib(limit))
        if len(keys) > 1:
            cause += " (also assigned to it: %s%s)" % (", ".join(keys[1:6]),
                                                       " …" if len(keys) > 6 else "")
    # The function and submit line come from the client's submit record (by key), not from the
    # worker process's own target (the nanny's).
    task = {"function": None, "args": [], "kwargs": {}} if keys else None
    return (task_key(keys[0]) if keys else None), task, cause


def _wrap_memory_monitor(original: "Any") -> "Any":
    def memory_monitor(self: "Any", nanny: "Any") -> "Any":
        before = getattr(self, "_last_terminated_pid", None)
        rss = _rss(_worker_pid(nanny))  # measured as Dask measures it, before it acts
        result = original(self, nanny)
        try:
            pid = getattr(self, "_last_terminated_pid", None)
            if pid is not None and pid != before:
                # Dask's decision, not the program's: hooks_process reports the death although
                # Dask terminates the process itself (the cause says so).
                _memory_kills[pid] = (rss, getattr(self, "memory_limit", None),
                                      getattr(self, "memory_terminate_fraction", None))
        except Exception:
            runtime.swallowed()
        return result

    return runtime.rename_like(memory_monitor, original)


def _worker_pid(nanny: "Any") -> "Any":
    """The pid of a nanny's worker process (``nanny.process.process`` is Dask's AsyncProcess)."""
    try:
        return nanny.process.process.pid
    except AttributeError:
        return None


def _rss(pid: "Any") -> "Any":
    if not isinstance(pid, int):
        return None
    try:
        import psutil  # a dependency of distributed
        return psutil.Process(pid).memory_info().rss
    except Exception:  # already gone
        return None


def patch_scheduler(module: "Any") -> None:
    scheduler = getattr(module, "Scheduler", None)
    original = scheduler.__dict__.get("remove_worker") if scheduler is not None else None
    if original is None or not runtime.claim(scheduler):
        return
    scheduler.remove_worker = _wrap_remove_worker(original)
    runtime.child_task = _child_task


def patch_worker_memory(module: "Any") -> None:
    manager = getattr(module, "NannyMemoryManager", None)
    original = manager.__dict__.get("memory_monitor") if manager is not None else None
    if original is None or not runtime.claim(manager):
        return
    manager.memory_monitor = _wrap_memory_monitor(original)
