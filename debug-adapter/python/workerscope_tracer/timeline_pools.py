"""The timeline's hooks on pools and executors, patched with the timeline on once their modules
are imported (timeline.py buffers what they record): pool and executor workers' task runs, one
span per element of a chunk, a thread pool's tasks, and waits on a pool's results
(AsyncResult.get/wait and the blocking Pool.map family).
"""

import os
import sys
import threading

from . import hooks_futures, hooks_pool, hooks_process, pool_jobs, runtime, timeline, wire
from .runtime import state
from .timeline import args_repr, error_text, native_id, now
from .timeline_hooks import MIN_WAIT_US, _TimedCondition
from .wire import _escape

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any, Optional

# The task a worker is running, until its result is sent: [begin, key, chunk, pos, args as a
# JSON string literal]
# (the element of a chunk still running, once its earlier elements have their spans).
_pending: "Any" = None
_pool_prefix = "?:pool:"


def _close_pending(error: "Optional[str]") -> None:
    global _pending
    p = _pending
    if p is None:
        return
    _pending = None
    end = now()
    timeline.add('["task",%d,%d,%d,%s,%d,%d,null,null,null,%s,"%s",%s]' % (
        native_id(), p[0], end, _escape(p[1]), p[2], p[3], p[4],
        "ok" if error is None else "raised", "null" if error is None else _escape(error)), end)


def _timed(items: "Any", raw: "Any", key: str, chunk: int, star: bool) -> "Any":
    """Yields a chunk's elements (from the counting generator), ending each element's span
    as the next is asked for; the element running when the chunk fails ends with its result."""
    global _pending
    # What every element's span shares is formatted once (timeline.task's layout): this runs
    # per element of every map, the 100,000-task benchmark measures it.
    head = '["task",%d,' % native_id()
    middle = ",%s,%d," % (_escape(key), chunk)
    add, monotonic = timeline.add, timeline.monotonic_ns
    pos = 0
    for item in items:
        begin = monotonic() // 1000
        if pos:
            add('%s%d,%d%s%d,null,null,null,%s,"ok",null]' % (
                head, _pending[0], begin, middle, pos - 1, _pending[4]), begin)
        try:
            args = _escape(args_repr(raw[pos], star))
        except Exception:
            args = "null"
            runtime.swallowed()
        _pending = [begin, key, chunk, pos, args]
        yield item
        pos += 1
    _close_pending(None)


def _exception_of(value: "Any") -> "Any":
    return getattr(value, "exc", value)  # a pool's ExceptionWithTraceback holds the exception


class _TimedInQueue(hooks_pool._InQueue):
    __slots__ = ()

    def get(self, *args: "Any") -> "Any":
        global _pending
        task = hooks_pool._InQueue.get(self, *args)
        if task is None:
            return task
        try:
            job, i, func, fargs, kwds = task
            key = _pool_prefix + str(job)
            if func is hooks_pool._mapstar or func is hooks_pool._starmapstar:
                user, items = fargs[0]
                raw = state.task[3][0][1]
                star = func is hooks_pool._starmapstar
                if items is not raw:  # several elements: a span each
                    _pending = None
                    return (job, i, func, ((user, _timed(items, raw, key, i, star)),), kwds)
                _pending = [now(), key, i, 0, _escape(args_repr(raw[0], star)) if raw else "null"]
            else:
                _pending = [now(), key, i, 0, _escape(args_repr(tuple(fargs or ()), True))]
        except Exception:
            runtime.swallowed()
        return task


class _TimedOutQueue(hooks_pool._OutQueue):
    __slots__ = ()

    def put(self, obj: "Any") -> "Any":
        if _pending is not None:
            try:
                _job, _i, (success, value) = obj
                _close_pending(None if success else error_text(_exception_of(value)))
            except Exception:
                runtime.swallowed()
        return hooks_pool._OutQueue.put(self, obj)


def _time_pool_worker(proc: "Any") -> None:
    global _pool_prefix, _pending
    _pending = None
    owner = getattr(proc, "_parent_pid", None) or os.getppid()
    _pool_prefix = "%s:pool:" % owner
    args = proc._args
    if len(args) >= 2 and isinstance(args[0], hooks_pool._InQueue):
        proc._args = (_TimedInQueue(args[0]._q), _TimedOutQueue(args[1]._q)) + tuple(args[2:])


def _chained(first: "Any", then: "Any") -> "Any":
    def run(proc: "Any") -> None:
        first(proc)
        try:
            then(proc)
        except Exception:
            runtime.swallowed()
    return run


def _wait_name(frame: "Any") -> str:
    """What a wait on a pool's result was called by: ``Pool.map`` (and its kin), ``get``."""
    name = frame.f_code.co_name
    if name == "get":
        back = frame.f_back
        if back is not None and back.f_code.co_name in ("map", "starmap", "apply") \
                and back.f_code.co_filename == frame.f_code.co_filename:
            return "Pool." + back.f_code.co_name
        return "AsyncResult.get"
    return "AsyncResult.wait"


def _add_run_hook(role: str, hook: "Any") -> None:
    """Runs ``hook`` in each child of ``role`` as it starts, after any hook already there."""
    run_hooks = hooks_process._child_run_hooks
    run_hooks[role] = _chained(run_hooks[role], hook) if role in run_hooks else hook


def patch_pool(module: "Any") -> None:
    if not runtime.claim(module, "_workerscope_timeline"):
        return
    _add_run_hook(wire.ROLE_POOL_WORKER, _time_pool_worker)
    orig_wait = module.ApplyResult.wait

    def wait(self: "Any", timeout: "Any" = None) -> "Any":
        if self._event.is_set():
            return orig_wait(self, timeout)
        begin = now()
        try:
            return orig_wait(self, timeout)
        finally:
            try:
                if now() - begin >= MIN_WAIT_US:
                    timeline.wait(_wait_name(sys._getframe(1)), begin, timeline.wait_site())
            except Exception:
                runtime.swallowed()

    module.ApplyResult.wait = runtime.rename_like(wait, orig_wait)
    # Not a wrapper of IMapIterator.__init__: pool_jobs's reads its caller's frame.
    pool_jobs.imap_made = _time_imap


def _time_imap(iterator: "Any") -> None:
    iterator._cond = _TimedCondition(threading.Lock())


# ---- executors ----------------------------------------------------------------------------

class _TimedCallQueue(hooks_futures._CallQueue):
    __slots__ = ()

    def get(self, *args: "Any", **kwargs: "Any") -> "Any":
        global _pending
        item = hooks_futures._CallQueue.get(self, *args, **kwargs)
        if item is None:
            return item
        try:
            key = "%s:%s" % (hooks_futures._worker_key(), item.work_id)
            if state.chunk is not None:  # a map's chunk: a span per element
                _pending = None
                item.args = (_timed(item.args[0], state.chunk, key, 0, True),) \
                    + tuple(item.args[1:])
            else:
                _pending = [now(), key, 0, 0, _escape(args_repr(tuple(item.args or ()), True))]
        except Exception:
            runtime.swallowed()
        return item


def _time_executor_worker(proc: "Any") -> None:
    global _pending
    _pending = None
    args = proc._args
    if args and isinstance(args[0], hooks_futures._CallQueue):
        proc._args = (_TimedCallQueue(args[0]._q),) + tuple(args[1:])


def patch_executor(module: "Any") -> None:
    if not runtime.claim(module, "_workerscope_timeline"):
        return
    _add_run_hook(wire.ROLE_EXECUTOR_WORKER, _time_executor_worker)
    orig_sendback = module._sendback_result

    def _sendback_result(*args: "Any", **kwargs: "Any") -> "Any":
        if _pending is not None:
            try:
                exc = kwargs.get("exception", args[3] if len(args) > 3 else None)
                _close_pending(None if exc is None else error_text(_exception_of(exc)))
            except Exception:
                runtime.swallowed()
        return orig_sendback(*args, **kwargs)

    module._sendback_result = runtime.rename_like(_sendback_result, orig_sendback)


def patch_thread_executor(module: "Any") -> None:
    """A thread pool's task: a span on the thread that ran it, named by the work item."""
    work_item = getattr(module, "_WorkItem", None)
    if work_item is None or not runtime.claim(work_item, "_workerscope_timeline"):
        return
    orig_run = work_item.run

    def run(self: "Any") -> None:
        begin = now()
        try:
            tag = self.future.__dict__.get("_workerscope")
            info = hooks_futures._tasks.get(tag) or {}
        except Exception:
            info = {}
            runtime.swallowed()
        orig_run(self)
        try:
            from .frames import describe_callable
            exc = self.future.__dict__.get("_exception")
            fn = info.get("fn", self.fn)
            index = info.get("indexBase") if info.get("indexed") else None
            timeline.task(native_id(), begin, now(), None, None, index,
                          args_repr(tuple(self.args or ()), True),
                          None if exc is None else error_text(exc),
                          function=describe_callable(fn), site=info.get("submittedAt"),
                          def_site=timeline.def_site(fn))
        except Exception:
            runtime.swallowed()

    work_item.run = runtime.rename_like(run, orig_run)


