"""The exception filters of a debug session: ``uncaught`` (the main process's uncaught
exception stops before its traceback is printed; an exception ending a thread or process
pauses), ``failures`` (a failing task pauses, runtime.report_failure) and ``raised`` (every
exception raised in user code stops the raising thread; 3.12+: sys.monitoring RAISE events,
3.8-3.11: a trace function without line events, both only while the filter is on)."""

import sys
from _thread import get_ident

from . import breakpoints as bp
from . import runtime, wire
from .usercode import is_library

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any, Dict

_MONITORING = sys.version_info >= (3, 12)
_NOT_STOPPING = (StopIteration, StopAsyncIteration, GeneratorExit)
_raised = False


def failure_pauses(kind: str) -> bool:
    """Whether a failure of this kind pauses for the debugger, by the spec on disk now."""
    settings = bp.settings(fresh=True)
    if settings.uncaught and kind in (wire.THREAD_EXCEPTION, wire.PROCESS_EXCEPTION):
        return True
    if kind == wire.WORKER_LOST:  # the parent holds on for its dead worker (hooks_futures)
        return settings.failures
    return settings.failures and (runtime.state.role != wire.ROLE_MAIN
                                  or kind == wire.THREAD_EXCEPTION)


def exception_record(exc: "BaseException") -> "Dict[str, Any]":
    info: "Dict[str, Any]" = dict(runtime.exception_info(exc))
    if isinstance(exc, SyntaxError):  # the program file itself may not compile: no frames
        info["file"] = exc.filename
        info["line"] = exc.lineno
    return info


def uncaught(exc: "BaseException", tb: "Any") -> None:
    """The main process's uncaught exception (sys.excepthook, never KeyboardInterrupt):
    stops the thread on the raising frame before the traceback is printed."""
    if runtime.state.role != wire.ROLE_MAIN or runtime.state.helper:
        return
    settings = bp.settings(fresh=True)
    if not settings.uncaught:
        return
    from . import frames, pause
    records, live = frames.frames_from_traceback(tb)
    if settings.just_my_code:
        # Raised inside a library called by the program (`pool.map` re-raising a task's error):
        # the stop shows the program's own line that called it, on top.
        keep = len(records)
        while keep > 0 and is_library(str(records[keep - 1].get("file") or "")):
            keep -= 1
        if keep > 0:
            records, live = records[:keep], live[:keep]
    stop_id = bp.next_stop_id()
    if runtime.emit(wire.STOPPED, id=stop_id, reason="exception", breakpoint=None,
                    description="uncaught", exception=exception_record(exc),
                    thread=bp._thread_name(), worker=bp._worker_name(),
                    role=runtime.state.role, frames=records, paused=True, steppable=False):
        pause.wait_for_debugger(stop_id, live, timeout=pause.NO_TIMEOUT)


# ---- raised ----------------------------------------------------------------------------------

def _should_stop(exc: "Any", tb: "Any", filename: str) -> bool:
    """A raise in user code, in the first frame of user code it reaches: it is reported again
    in each frame it unwinds through, whose traceback entry (``tb``, this frame's) is then
    followed by those of the frames it came from."""
    if not _raised or isinstance(exc, _NOT_STOPPING) or is_library(filename):
        return False
    from .stepping import _blocked
    if _blocked(get_ident()):
        return False
    tb = tb.tb_next if tb is not None else None
    while tb is not None:
        if not is_library(tb.tb_frame.f_code.co_filename):
            return False  # stopped (or not, by choice) where it was raised
        tb = tb.tb_next
    return True


def _stop(frame: "Any", exc: "Any") -> None:
    from . import stepping
    stepping.stop(frame, "exception", description="raised", exception=exception_record(exc))


def global_events() -> int:
    return sys.monitoring.events.RAISE if _raised else 0  # type: ignore[attr-defined]


def _on_raise(code: "Any", offset: int, exc: "Any") -> "Any":
    try:
        if _should_stop(exc, getattr(exc, "__traceback__", None), code.co_filename):
            _stop(sys._getframe(1), exc)
    except Exception:
        runtime.swallowed()
    return None


def set_raised(on: bool) -> None:
    """Turns the filter on or off (in the main thread: install, or the spec's reload)."""
    global _raised
    if on == _raised:
        return
    _raised = on
    if _MONITORING:
        from . import stepping
        tool = bp.claim_tool()
        if tool is not None:
            sys.monitoring.register_callback(  # type: ignore[attr-defined]
                tool, sys.monitoring.events.RAISE, _on_raise)  # type: ignore[attr-defined]
            stepping._mon_refresh()
        return
    _trace_set(on)


# 3.8-3.11: the main thread, and threads started while the filter is on, trace every call of
# user code for its exception events (line events off but in code holding a breakpoint).

def _trace_set(on: bool) -> None:
    threading = sys.modules.get("threading")
    base = bp._global_trace if bp._tracing else None
    current = sys.gettrace()
    if on:
        if current is not None and current not in (bp._global_trace, _raised_call):
            return  # the program's own tracer (coverage...) or a step: left alone
        sys.settrace(_raised_call)
        if threading is not None:
            threading.settrace(_raised_call)
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_trace is None and not is_library(frame.f_code.co_filename):
                frame.f_trace_lines = bp.holds_breakpoint(frame.f_code)
                frame.f_trace = _raised_local
            frame = frame.f_back
        return
    if current is _raised_call:
        sys.settrace(base)
    if threading is not None and getattr(threading, "_trace_hook", None) is _raised_call:
        threading.settrace(base)


def _raised_call(frame: "Any", event: str, arg: "Any") -> "Any":
    if not _raised:  # turned off: this thread goes back to the breakpoint-only function
        base = bp._global_trace if bp._tracing else None
        sys.settrace(base)
        return base(frame, event, arg) if base is not None else None
    code = frame.f_code
    holds = bp.holds_breakpoint(code)
    if not holds and is_library(code.co_filename):
        return None
    frame.f_trace_lines = holds
    return _raised_local


def _raised_local(frame: "Any", event: str, arg: "Any") -> "Any":
    try:
        if event == "exception":
            if _should_stop(arg[1], arg[2], frame.f_code.co_filename):
                _stop(frame, arg[1])
                return frame.f_trace or _raised_local
        elif event == "line":
            entry = bp._file_lines(frame.f_code.co_filename)
            bps = entry.get(frame.f_lineno) if entry else None
            if bps is not None and bp._hit(frame, bps):
                return frame.f_trace or _raised_local
    except Exception:
        runtime.swallowed()
    return _raised_local
