"""Hook on uncaught thread exceptions: report them, then let ``threading.excepthook`` run.

Each thread calls the function ``threading._make_invoke_excepthook`` made for it when its
target raises; wrapping that function sees every uncaught exception even when the program
installs its own ``threading.excepthook``, and the hook in place still runs, so the default
"Exception in thread ..." traceback is printed exactly as before.
"""

import sys

from . import runtime, wire

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any, Callable, List


_death_hooks: "List[Callable[[BaseException, Any], None]]" = []


def add_death_hook(hook: "Callable[[BaseException, Any], None]") -> None:
    """``hook(exc, tb)`` runs after a thread's uncaught exception has been reported."""
    if hook not in _death_hooks:
        _death_hooks.append(hook)


def _report(exc_type: "Any", exc: "Any", tb: "Any", thread: "Any") -> None:
    try:
        if exc_type is not SystemExit and exc is not None:
            runtime.report_failure(wire.THREAD_EXCEPTION, exc, tb,
                                   threadName=getattr(thread, "name", None))
            for hook in list(_death_hooks):
                hook(exc, tb)
    except Exception:
        runtime.swallowed()


def _wrap_invoke(invoke: "Callable[[Any], Any]") -> "Callable[[Any], Any]":
    def invoke_excepthook(thread: "Any") -> "Any":
        exc_type, exc, tb = sys.exc_info()  # called from the thread's own except block
        _report(exc_type, exc, tb, thread)
        try:
            frames = sys.modules.get(__package__ + ".frames")  # loaded by any wrapper of ours
            if frames is not None:
                frames.hide_tracer_frames(exc)
        except Exception:
            runtime.swallowed()
        return invoke(thread)
    return invoke_excepthook


def patch(module: "Any") -> None:
    if not runtime.claim(module):
        return
    make_invoke = getattr(module, "_make_invoke_excepthook", None)
    if make_invoke is not None:
        def _make_invoke_excepthook() -> "Any":
            return _wrap_invoke(make_invoke())

        module._make_invoke_excepthook = runtime.rename_like(_make_invoke_excepthook, make_invoke)
        return
    previous = getattr(module, "excepthook", None)  # an interpreter without the factory
    if previous is None:
        return

    def excepthook(args: "Any") -> "Any":
        _report(args.exc_type, args.exc_value, args.exc_traceback, args.thread)
        return previous(args)

    module.excepthook = runtime.rename_like(excepthook, previous)
