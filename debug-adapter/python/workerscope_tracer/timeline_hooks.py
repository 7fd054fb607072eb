"""The timeline's hooks on threads, Processes and Futures, patched only with the timeline on
(timeline.py buffers what they record; timeline_pools.py times the pools' and executors'
workers): a Process's target, threads' lives, and waits on results (imap's next,
Future.result/exception, Process.join).  Imports nothing of the pools: a program that never
makes one never loads them.
"""

import sys
import threading

from . import hooks_process, runtime, timeline, wire
from .runtime import state
from .timeline import args_repr, native_id, now

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any

# Waits shorter than this (a result already there) are not drawn: a bar nobody could see.
MIN_WAIT_US = 100

class _TimedCondition(threading.Condition):
    """The condition an imap iterator or a Future waits on: each wait is a span."""

    def wait(self, timeout: "Any" = None) -> bool:
        begin = now()
        try:
            return threading.Condition.wait(self, timeout)
        finally:
            try:
                if now() - begin >= MIN_WAIT_US:
                    caller = sys._getframe(1).f_code.co_name
                    call = "imap.next" if caller in ("next", "__next__") else "Future." + caller
                    timeline.wait(call, begin, timeline.wait_site())
            except Exception:
                runtime.swallowed()


def patch_future(module: "Any") -> None:
    future_cls = module.Future
    if not runtime.claim(future_cls, "_workerscope_timeline"):
        return
    orig_init = future_cls.__init__

    def __init__(self: "Any") -> None:
        orig_init(self)
        self._condition = _TimedCondition()

    future_cls.__init__ = runtime.rename_like(__init__, orig_init)


# ---- processes and threads ------------------------------------------------------------------

def process_ran(proc: "Any", begin: int, code: "Any") -> None:
    """A Process's target ran from ``begin`` (called by hooks_process's _bootstrap)."""
    try:
        if state.role != wire.ROLE_PROCESS:
            return
        from .frames import describe_callable
        target = getattr(proc, "_target", None) or getattr(type(proc), "run", None)
        timeline.task(native_id(), begin, now(), None, None, None,
                      args_repr(tuple(getattr(proc, "_args", ()) or ()), True),
                      None if not code else "exit code %s" % code,
                      function=describe_callable(target),
                      site=getattr(proc, "_workerscope_site", None),
                      def_site=timeline.def_site(target))
    except Exception:
        runtime.swallowed()


def patch_process(module: "Any") -> None:
    base = module.BaseProcess
    if not runtime.claim(base, "_workerscope_timeline"):
        return
    orig_join = base.join

    def join(self: "Any", timeout: "Any" = None) -> None:
        begin = now()
        try:
            orig_join(self, timeout)
        finally:
            try:
                if now() - begin >= MIN_WAIT_US:
                    timeline.wait("Process.join", begin, timeline.wait_site())
            except Exception:
                runtime.swallowed()

    base.join = runtime.rename_like(join, orig_join)
    hooks_process.add_exit_hook(timeline.flush)


_INTERNAL_MODULES = ("multiprocessing.", "concurrent.futures.")
# The threads of thread pools (ThreadPoolExecutor's, ThreadPool's): they run the tasks.
_TASK_RUNNERS = ("_worker", "worker")


def patch_threading(module: "Any") -> None:
    """Threads' lives, but for the pools' and executors' own machinery (handler, feeder and
    manager threads): lanes nobody asked for."""
    thread_cls = module.Thread
    orig = getattr(thread_cls, "_bootstrap_inner", None)
    if orig is None or not runtime.claim(thread_cls, "_workerscope_timeline"):
        return

    def _bootstrap_inner(self: "Any") -> None:
        try:
            target = self.__dict__.get("_target")
            owner = getattr(target, "__module__", None) if target is not None \
                else type(self).__module__
            internal = (owner or "").startswith(_INTERNAL_MODULES) and getattr(
                target, "__name__", None) not in _TASK_RUNNERS
            if not internal:
                tid, begin = native_id(), now()
                timeline.thread(tid, begin, None, self.name)
        except Exception:
            internal = True
            runtime.swallowed()
        try:
            orig(self)
        finally:
            if not internal:
                try:
                    timeline.thread(tid, begin, now(), self.name)
                except Exception:
                    runtime.swallowed()

    thread_cls._bootstrap_inner = runtime.rename_like(_bootstrap_inner, orig)
