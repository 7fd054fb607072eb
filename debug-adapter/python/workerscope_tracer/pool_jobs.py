"""``multiprocessing.pool`` in the parent: each job's submit, its task arguments, its end.

A job is registered where its result object is made (from the submitting method's frame, so
no tracer frame runs around ``map``/``apply_async``/``imap``), with what a worker death needs
to name the task: a map's input sequence, an apply's arguments, an imap's sent chunks.  All
of it goes when the pool drops the job from its cache.  Nothing here runs per task of a map:
failed maps are found when their job ends, and only then does their result object watch
its retrieval; unretrieved failures are reported as ``swallowed``.
"""

import collections
import collections.abc
import os
import sys

from . import runtime, wire
from .frames import call_site, describe_callable
from .runtime import state

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple

# A task is kept as the pool sent it, CPython's (job, i, func, args, kwds) — an apply's as
# "sent" in its job's info, an imap's in _sent — and named where it is read (_sent_args).
# Records are dicts or tuples here, not classes: a class made at import costs every traced
# process pages of its own.
_jobs: "Dict[int, Dict[str, Any]]" = {}          # job -> submit info
_sent: "Dict[Tuple[int, int], Any]" = {}         # imap (job, chunk) -> its task, as sent
_unretrieved: "Dict[int, Dict[str, Any]]" = {}   # job -> swallowed candidate
# id(exception) -> the swallowed record of an imap's failed result, until the program reads it;
# its "_job" and "_value" (the exception, kept so that its id stays its own) go before it is sent.
_imap_unread: "Dict[int, Dict[str, Any]]" = {}
_mod: "Any" = None
# Hooks of hooks_pool: what a callback raising KeyError means (set by hooks_pool.patch).
callback_lost: "Any" = None
# With the timeline on, called with each new imap iterator (timeline_hooks times its waits).
imap_made: "Any" = None


def key(owner: "Any", job: "Any") -> str:
    return "%s:pool:%s" % (owner, job)


def _register(job: int, api: str, func: "Any", chunksize: int, indexed: bool,
              **kept: "Any") -> None:
    info = {"key": key(os.getpid(), job), "api": api, "function": describe_callable(func),
            "chunksize": chunksize, "indexBase": 0, "indexed": indexed,
            "submittedAt": call_site(3)}
    if state.timeline:
        from .timeline import def_site
        info["def"] = def_site(func)
    runtime.emit(wire.SUBMIT, **info)
    info.update(kept)
    _jobs[job] = info


def _element_args(element: "Any", star: bool) -> "Tuple[List[str], Dict[str, str]]":
    from .safe_repr import repr_args, safe_repr
    return (repr_args(element) if star else [safe_repr(element)]), {}


def _sent_args(sent: "Any", pos: int) -> "Tuple[List[str], Dict[str, str]]":
    """Arguments of element ``pos`` of a task as sent: its func is mapstar or starmapstar for
    a map's chunk, whose args are then ((the user's function, the chunk's elements),)."""
    if sent is None:
        return [], {}
    from .safe_repr import repr_args, repr_kwargs
    _job, _i, func, fargs, kwds = sent
    if func is _mod.mapstar or func is _mod.starmapstar:
        try:
            return _element_args(fargs[0][1][pos], func is _mod.starmapstar)
        except Exception:
            runtime.swallowed()
            return [], {}
    return repr_args(fargs or ()), repr_kwargs(kwds)


def _task_args(job: int, chunk: int, pos: int) -> "Tuple[List[str], Dict[str, str]]":
    info = _jobs.get(job) or {}
    items = info.get("items")
    if items is not None:  # a map: its input sequence, kept until the job ends
        try:
            return _element_args(items[chunk * info["chunksize"] + pos], info["star"])
        except Exception:  # the program's own sequence type may raise
            runtime.swallowed()
            return [], {}
    return _sent_args(info.get("sent") or _sent.get((job, chunk)), pos)


def pending(job: int, chunk: int) -> bool:
    """Task (job, chunk) may still be running: its job has not ended (an imap's chunk: no
    result for it yet)."""
    info = _jobs.get(job)
    if info is None:
        return False
    return "items" in info or "sent" in info or (job, chunk) in _sent


def task_for(job: int, chunk: int, pos: int) -> "Dict[str, Any]":
    info = _jobs.get(job) or {}
    args, kwargs = _task_args(job, chunk, pos)
    chunksize = info.get("chunksize") or 1
    return {"function": info.get("function"), "args": args, "kwargs": kwargs,
            "index": (chunk * chunksize + pos) if info.get("indexed") else None,
            "submittedAt": info.get("submittedAt")}


# ---- registration -----------------------------------------------------------------------

# Inputs whose element i is the i-th task of a map (CPython lists anything without a length).
_INDEXABLE = (list, tuple, range, collections.abc.Sequence)


def _register_results(module: "Any") -> None:
    """Jobs are registered as their result objects are made, from the submitting method's
    own frame: what ``map``/``apply_async``/``imap`` raise (a closed pool, an input iterable
    that raises) and when they consume their input stay CPython's, and the job is known
    before its first task is queued."""
    pool_cls = module.Pool
    apply_code = pool_cls.apply_async.__code__
    sync_apply = pool_cls.apply.__code__
    map_code = pool_cls._map_async.__code__
    map_apis = {getattr(pool_cls, name).__code__: name
                for name in ("map", "map_async", "starmap", "starmap_async")}
    imap_apis = {getattr(pool_cls, name).__code__: name for name in ("imap", "imap_unordered")}
    apply_init = module.ApplyResult.__init__
    map_init = module.MapResult.__init__
    imap_init = module.IMapIterator.__init__

    def apply_result_init(self: "Any", *args: "Any", **kwargs: "Any") -> None:
        apply_init(self, *args, **kwargs)
        try:
            frame = sys._getframe(1)
            if frame.f_code is apply_code:
                back = frame.f_back
                api = "apply" if back is not None and back.f_code is sync_apply else "apply_async"
                local = frame.f_locals
                _register(self._job, api, local["func"], 1, False,
                          sent=(self._job, 0, local["func"], local["args"], local["kwds"]))
        except Exception:
            runtime.swallowed()

    def map_result_init(self: "Any", *args: "Any", **kwargs: "Any") -> None:
        map_init(self, *args, **kwargs)
        try:
            frame = sys._getframe(1)
            # An empty map is complete (and gone from the cache) before it returns.
            if frame.f_code is map_code and not self._event.is_set():
                local = frame.f_locals
                star = local["mapper"] is module.starmapstar
                back = frame.f_back
                api = map_apis.get(back.f_code) if back is not None else None
                if api is None:
                    api = "starmap_async" if star else "map_async"
                items = local["iterable"]
                if not isinstance(items, _INDEXABLE):  # a dict, a set: its keys are the tasks
                    items = ()
                _register(self._job, api, local["func"], self._chunksize or 1, True,
                          items=items, star=star)
                if self._callback is not None or self._error_callback is not None:
                    _watch_callbacks(self)
        except Exception:
            runtime.swallowed()

    def imap_iterator_init(self: "Any", *args: "Any", **kwargs: "Any") -> None:
        imap_init(self, *args, **kwargs)
        try:
            frame = sys._getframe(1)
            api = imap_apis.get(frame.f_code)
            if api is not None:
                local = frame.f_locals
                _register(self._job, api, local["func"], local["chunksize"], True)
            if imap_made is not None:
                imap_made(self)
        except Exception:
            runtime.swallowed()

    module.ApplyResult.__init__ = runtime.rename_like(apply_result_init, apply_init)
    module.MapResult.__init__ = runtime.rename_like(map_result_init, map_init)
    module.IMapIterator.__init__ = runtime.rename_like(imap_iterator_init, imap_init)
    _record_imap_tasks(pool_cls)


def _record_imap_tasks(pool_cls: "Any") -> None:
    """An imap's input is lazy: its tasks are kept as they are sent, until their result."""
    orig = pool_cls.__dict__.get("_guarded_task_generation")
    if orig is None:
        return

    def recording(tasks: "Any") -> "Any":
        for task in tasks:
            try:
                job, i, _func, _args, _kwds = task
                _sent[(job, i)] = task
            except Exception:
                runtime.swallowed()
            yield task

    def _guarded_task_generation(self: "Any", result_job: "Any", *args: "Any",
                                 **kwargs: "Any") -> "Any":
        tasks = orig(self, result_job, *args, **kwargs)
        info = _jobs.get(result_job)
        if info is None or "items" in info or "sent" in info:
            return tasks  # a map's or an apply's: their arguments are kept already
        return recording(tasks)

    pool_cls._guarded_task_generation = runtime.rename_like(_guarded_task_generation, orig)


def _watch_callbacks(result: "Any") -> None:
    """A map with a callback: its own ``_set`` notes a callback raising KeyError, which the
    result handler would drop without a word (the job then never ends).  Maps without one
    run CPython's ``_set`` untouched."""
    import weakref
    ref = weakref.ref(result)  # the instance's own attribute must not keep it alive
    orig_set = type(result)._set

    def _set(i: int, obj: "Any") -> None:
        result = ref()
        try:
            orig_set(result, i, obj)
        except KeyError as exc:
            callback_lost(exc, result._job)
            raise

    result._set = _set


# ---- the end of a job -------------------------------------------------------------------

def _watch_cache(module: "Any") -> None:
    """The pool's cache drops a job once its result is complete (before a waiting ``get()``
    can wake): the job's bookkeeping ends there, and a failed map starts watching its
    retrieval."""
    cache_cls = getattr(module, "_PoolCache", None)
    if cache_cls is None or "__delitem__" not in cache_cls.__dict__:
        return
    orig_del = cache_cls.__delitem__
    map_cls = module.MapResult

    def __delitem__(self: "Any", item: "Any") -> None:
        try:
            result = dict.get(self, item)
            info = _jobs.pop(item, None)
            if isinstance(result, map_cls) and result.__dict__.get("_success") is False:
                _map_failed(result, info)
        except Exception:
            runtime.swallowed()
        orig_del(self, item)

    cache_cls.__delitem__ = runtime.rename_like(__delitem__, orig_del)


_watched_classes: "Dict[Any, Any]" = {}


def _map_failed(result: "Any", info: "Optional[Dict[str, Any]]") -> None:
    job = result._job
    if result._error_callback is not None or job in _unretrieved:
        return
    info = info or {}
    value = result._value
    _unretrieved[job] = {
        "key": key(os.getpid(), job), "chunk": 0, "api": info.get("api"),
        "task": {"function": info.get("function"), "args": [], "kwargs": {}, "index": None,
                 "submittedAt": info.get("submittedAt")},
        "exception": runtime.exception_info(value) if isinstance(value, BaseException) else None,
        "allChunks": True}  # a map's result holds its first failure only: unread, it loses all
    if getattr(value, "__traceback__", None) is not None:  # raised in a ThreadPool
        _unretrieved[job].update(_exc=value, thread=None)
    cls = type(result)
    watched = _watched_classes.get(cls)
    if watched is None:  # same name: it reads as the class it is
        watched = type(cls.__name__, (cls,), {"_success": _SUCCESS_WATCH,
                                             "__module__": cls.__module__,
                                             "__qualname__": cls.__qualname__})
        _watched_classes[cls] = watched
    result.__class__ = watched
    runtime.on_collected(result, ("pool", job), lambda k: _emit_unretrieved(k[1]))


def _retrieved(result: "Any", reader: "Any") -> None:
    if reader in _readers:
        result.__dict__["_workerscope_retrieved"] = True
        _unretrieved.pop(result._job, None)


_readers: "set" = set()


def _get_success(self: "Any") -> "Any":
    value = self.__dict__.get("_success")
    if value is False:
        try:
            _retrieved(self, sys._getframe(1).f_code)
        except Exception:
            runtime.swallowed()
    return value


def _set_success(self: "Any", value: "Any") -> None:
    self.__dict__["_success"] = value


# Retrieval is seen when get()/successful() read _success: a property rather than a wrapper
# method, so no tracer frame enters the traceback get() re-raises.
_SUCCESS_WATCH = property(_get_success, _set_success)


def _patch_results(module: "Any") -> None:
    apply_cls, map_cls = module.ApplyResult, module.MapResult
    _readers.update({apply_cls.get.__code__, apply_cls.successful.__code__})
    _wrap_apply_set(apply_cls)
    for cls in (module.IMapIterator, getattr(module, "IMapUnorderedIterator", None)):
        if cls is not None and "_set" in cls.__dict__:
            _wrap_imap_set(cls)
    apply_cls._success = _SUCCESS_WATCH  # one task per job: watched from the start
    map_cls._success = True  # a plain attribute: a map's many _set calls read no property
    _watch_cache(module)


def _wrap_imap_set(cls: "Any") -> None:
    orig_set = cls.__dict__["_set"]

    def _set(self: "Any", i: int, obj: "Any") -> None:
        job = self._job
        sent = _sent.pop((job, i), None)
        try:
            success, value = obj  # CPython's result
            if not success:  # read when next() takes it
                _imap_failed(self, job, i, value, sent)
        except Exception:
            runtime.swallowed()
        try:
            orig_set(self, i, obj)
        except KeyError as exc:
            callback_lost(exc, job)
            raise

    cls._set = _set


def _wrap_apply_set(cls: "Any") -> None:
    orig_set = cls.__dict__["_set"]

    def _set(self: "Any", i: int, obj: "Any") -> None:
        job = self._job
        info = _jobs.get(job) or {}  # gone once orig_set drops the job from the cache
        try:
            orig_set(self, i, obj)
        except KeyError as exc:
            callback_lost(exc, job)
            raise
        try:
            if self.__dict__.get("_success") is False and job not in _unretrieved \
                    and self._error_callback is None \
                    and not self.__dict__.get("_workerscope_retrieved"):
                _apply_failed(self, job, i, info)
        except Exception:
            runtime.swallowed()

    cls._set = _set


def _apply_failed(result: "Any", job: int, i: int, info: "Dict[str, Any]") -> None:
    value = result._value
    args, kwargs = _sent_args(info.get("sent"), 0)
    _unretrieved[job] = {
        "key": key(os.getpid(), job), "chunk": i, "api": info.get("api"),
        "task": {"function": info.get("function"), "args": args, "kwargs": kwargs,
                 "index": None, "submittedAt": info.get("submittedAt")},
        "exception": runtime.exception_info(value) if isinstance(value, BaseException) else None,
        "allChunks": False}
    if getattr(value, "__traceback__", None) is not None:  # raised in a ThreadPool
        _unretrieved[job].update(_exc=value, thread=None)  # ran in one of its threads
    runtime.on_collected(result, ("pool", job), lambda k: _emit_unretrieved(k[1]))
    if result.__dict__.get("_workerscope_retrieved"):  # read while we registered
        _unretrieved.pop(job, None)


# ---- imap results and swallowed failures ---------------------------------------------------

class _TrackedItems(collections.deque):
    """An imap iterator's queue of results once one has failed: ``next()`` taking a failure
    off it (then raising it) is its retrieval. Seen here, before the raise, so no tracer
    frame enters the traceback the program gets."""

    def popleft(self) -> "Any":
        item = collections.deque.popleft(self)
        try:
            success, value = item  # CPython's result
            if not success:
                _imap_unread.pop(id(value), None)
        except Exception:
            runtime.swallowed()
        return item


def _imap_failed(iterator: "Any", job: int, i: int, value: "Any", sent: "Any") -> None:
    """A failed result of an imap: unread if the program never takes it from the iterator."""
    info = _jobs.get(job) or {}
    single = (info.get("chunksize") or 1) == 1
    args, kwargs = _sent_args(sent, 0) if single else ([], {})
    function = info.get("function")
    if sent is not None:
        _job, _i, func, _args, _kwds = sent
        if func is getattr(_mod, "_helper_reraises_exception", None):
            function, args, kwargs = None, [], {}  # the input iterable raised: no task ran
    entry: "Dict[str, Any]" = {
        "key": key(os.getpid(), job), "chunk": i, "api": info.get("api"),
        "task": {"function": function, "args": args, "kwargs": kwargs,
                 "index": i if single else None, "submittedAt": info.get("submittedAt")},
        "exception": runtime.exception_info(value) if isinstance(value, BaseException) else None}
    if getattr(value, "__traceback__", None) is not None:  # raised in a ThreadPool
        entry.update(_exc=value, thread=None)
    entry.update(_job=job, _value=value)
    with iterator._cond:  # before the result is queued: next() must find it tracked
        if not isinstance(iterator._items, _TrackedItems):
            iterator._items = _TrackedItems(iterator._items)
        _imap_unread[id(value)] = entry
    runtime.on_collected(iterator, ("imap", job), lambda k: _emit_imap_unread(k[1]))


def _emit_imap_unread(job: int) -> None:
    for k, entry in list(_imap_unread.items()):
        if entry["_job"] == job and _imap_unread.pop(k, None) is not None:
            del entry["_job"], entry["_value"]
            runtime.emit_swallowed(entry)


def _emit_unretrieved(job: int) -> None:
    """At exit, or once the AsyncResult is garbage: its failure was never retrieved."""
    item = _unretrieved.pop(job, None)
    if item is not None:
        runtime.emit_swallowed(item)


def emit_swallowed() -> None:
    for job in list(_unretrieved):
        _emit_unretrieved(job)
    for job in {entry["_job"] for entry in list(_imap_unread.values())}:
        _emit_imap_unread(job)


def patch(module: "Any") -> None:
    """The parent's half of patching multiprocessing.pool (from hooks_pool.patch)."""
    global _mod
    _mod = module
    _register_results(module)
    _patch_results(module)
