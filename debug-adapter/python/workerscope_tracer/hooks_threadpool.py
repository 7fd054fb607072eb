"""Hooks on ``concurrent.futures.thread``: a ThreadPoolExecutor's work items are recorded as a
process executor's submits are (py), so that its failed Futures never retrieved
are reported at exit as ``swallowed``.  Loaded only by a program that uses a thread pool.
"""

import itertools
import os

from . import hooks_process, runtime
from .frames import call_site
from .hooks_futures import _emit_swallowed, _mapping, _tasks, _tls

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any


def patch(module: "Any") -> None:
    """Patch concurrent.futures.thread (called right after it is imported): a
    ThreadPoolExecutor's failed Futures are remembered like a process executor's, and reported
    at exit if never retrieved (a retrieved one reached the program, which handled it)."""
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
            future._workerscope = (key, work_id)  # see hooks_futures._tasks
        except Exception:
            runtime.swallowed()

    work_item.__init__ = runtime.rename_like(__init__, orig_init)
    executor.map = _mapping(orig_map)
    hooks_process.add_exit_hook(_emit_swallowed)
