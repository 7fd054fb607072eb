"""Hook on ``threading.excepthook``: report uncaught thread exceptions, then chain.

The previous hook still runs, so the default "Exception in thread ..." traceback is
printed exactly as before.
"""


from . import runtime, wire

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any


def patch(module: "Any") -> None:
    previous = getattr(module, "excepthook", None)
    if previous is None or getattr(previous, "_workerscope", False):
        return

    def excepthook(args: "Any") -> "Any":
        try:
            if args.exc_type is not SystemExit and args.exc_value is not None:
                thread = getattr(args.thread, "name", None)
                runtime.report_failure(wire.THREAD_EXCEPTION, args.exc_value, args.exc_traceback,
                                       threadName=thread)
        except Exception:
            pass
        return previous(args)

    excepthook._workerscope = True  # type: ignore[attr-defined]
    module.excepthook = excepthook
