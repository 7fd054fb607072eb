"""Stops of a debug session (breakpoint, step, pause, exception) and what follows them:
``next``, ``stepIn`` and ``stepOut`` armed for the stopped thread only, and the ``pause``
request of the spec. Loaded at a process's first stop or pause; while no step or pause is
armed, the events are the breakpoint-only ones of breakpoints.py (3.12+: sys.monitoring,
with ``restart_events``; 3.8-3.11: the thread's trace function put back)."""

import os
import sys
from _thread import get_ident
from time import monotonic

from . import breakpoints as bp
from . import runtime, wire
from .usercode import is_library

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any, Dict, List, Optional, Set

_MONITORING = sys.version_info >= (3, 12)
PAUSE_WINDOW = 1.0  # seconds a thread has to reach user code to pause for a request


class _Step:
    """A thread's armed step. ``frame`` None: stop at the thread's next line of user code;
    else the frame whose lines stop it (``stop_in``) or whose end moves the step to its
    caller (``stepOut``, and ``next`` once the frame returns, yields or raises out)."""
    __slots__ = ("frame", "stop_in", "root", "touched")

    def __init__(self, frame: "Any", stop_in: bool, root: "Any") -> None:
        self.frame = frame
        self.stop_in = stop_in
        # The thread's outermost frame: its end is the thread's, which ends the step (a step
        # left armed would keep the events on, and stop a new thread given the same ident).
        self.root = root
        self.touched: "List[Any]" = []  # 3.8-3.11: frames given our trace function


_steps: "Dict[int, _Step]" = {}
_previous_trace: "Dict[int, Any]" = {}  # 3.8-3.11: a stepping thread's own trace function
_pause_until = 0.0  # monotonic deadline of the pause request being served, 0 when none
_paused: "Set[int]" = set()  # threads done with that request (stopped, or busy at it)
_pause_touched: "List[Any]" = []


# ---- the stop ---------------------------------------------------------------------------------

def stop(frame: "Any", reason: str, breakpoint: "Any" = None, description: "Any" = None,
         exception: "Any" = None, steppable: bool = True) -> None:
    """Emits ``stopped`` for the thread at ``frame`` and waits for the debugger (no safety
    timeout); a step command it resumes with is armed from ``frame``. Any step the thread had
    armed ends here: the stop that came first wins."""
    from . import frames, pause
    ident = get_ident()
    disarm(ident)
    records, live = frames.stack_frames(frame)
    stop_id = bp.next_stop_id()
    bp._busy.add(ident)
    try:
        if not runtime.emit(wire.STOPPED, id=stop_id, reason=reason, breakpoint=breakpoint,
                            description=description, exception=exception,
                            thread=bp._thread_name(), worker=bp._worker_name(),
                            role=runtime.state.role, frames=records, paused=True,
                            steppable=steppable):
            return
        word = pause.wait_for_debugger(stop_id, live, timeout=pause.NO_TIMEOUT,
                                       steppable=steppable)
    finally:
        bp._busy.discard(ident)
    if word in wire.STEP_COMMANDS:
        arm(frame, word)


def _blocked(ident: int) -> bool:
    """A thread that must not stop now: inside a stop, evaluating for one, or a helper."""
    if ident in bp._busy or runtime.state.helper:
        return True
    pause = sys.modules.get(__package__ + ".pause")
    return pause is not None and ident in pause.waiting


# ---- arming -----------------------------------------------------------------------------------

def arm(frame: "Any", word: str) -> None:
    """Arms ``word`` for the calling thread, stopped at ``frame``."""
    ident = get_ident()
    root = frame
    while root.f_back is not None:
        root = root.f_back
    if word == wire.CMD_STEP_IN:
        step = _Step(None, False, root)
    else:
        step = _Step(frame, word == wire.CMD_NEXT, root)
    _steps[ident] = step
    if _MONITORING:
        _mon_refresh()
    else:
        _trace_arm(ident, step, frame)


def disarm(ident: int) -> None:
    step = _steps.pop(ident, None)
    if step is None:
        return
    if _MONITORING:
        _mon_refresh()
    else:
        _trace_disarm(ident, step)


def _left(step: _Step, frame: "Any") -> None:
    """The step's frame returned, yielded or raised out: its caller is the frame now, a
    library caller (a pool worker's loop) makes it "the next line of user code"."""
    caller = frame.f_back
    if caller is None or is_library(caller.f_code.co_filename):
        step.frame, step.stop_in = None, False
    else:
        step.frame, step.stop_in = caller, True


def _due(ident: int, frame: "Any", code: "Any") -> "Optional[str]":
    """The reason to stop the thread at this line now, if any."""
    step = _steps.get(ident)
    if step is not None:
        if step.frame is None:
            return None if is_library(code.co_filename) or _blocked(ident) else "step"
        if frame is step.frame and step.stop_in and not _blocked(ident):
            return "step"
        return None
    if _pause_until:
        # Any thread's line past the window ends the request (the events go back).
        if monotonic() > _pause_until:
            end_pause()
        elif ident not in _paused and not is_library(code.co_filename) and not _blocked(ident):
            _paused.add(ident)
            return "pause"
    return None


# ---- pause ------------------------------------------------------------------------------------

def request_pause() -> None:
    """Every thread of this process not stopped already stops at its next line of user code,
    if it reaches one within PAUSE_WINDOW (called in the main thread, by the spec's reload)."""
    global _pause_until
    pause = sys.modules.get(__package__ + ".pause")
    _paused.clear()
    _paused.update(_steps)
    if pause is not None:
        _paused.update(pause.waiting)
    _paused.update(bp._busy)
    _pause_until = monotonic() + PAUSE_WINDOW
    if _MONITORING:
        _mon_refresh()
    else:
        _trace_pause()


def end_pause() -> None:
    global _pause_until
    if not _pause_until:
        return
    _pause_until = 0.0
    touched, _pause_touched[:] = list(_pause_touched), []
    if _MONITORING:
        _mon_refresh()
    else:
        for frame in touched:
            _restore_frame(frame)
        _restore_thread_trace(get_ident())


# ---- 3.12+: sys.monitoring --------------------------------------------------------------------

_touched_code: "Dict[int, Any]" = {}


def _mon_refresh() -> None:
    """Puts the events the armed steps and the pause need on top of the breakpoints' ones
    (only the breakpoint-only events when none is armed), then re-enables what earlier
    callbacks disabled."""
    mon = sys.monitoring  # type: ignore[attr-defined]
    events = mon.events
    tool = bp.claim_tool()
    if tool is None:
        return
    local: "Dict[int, Any]" = {}  # id(code) -> [code, its events]
    for step in _steps.values():
        if step.frame is not None:
            code = step.frame.f_code
            local.setdefault(id(code), [code, 0])[1] |= (
                events.LINE | events.PY_RETURN | events.PY_YIELD)
        code = step.root.f_code
        local.setdefault(id(code), [code, 0])[1] |= events.PY_RETURN
    for key, code in list(_touched_code.items()):
        if key not in local:
            mon.set_local_events(tool, code, events.LINE if key in bp._lined else 0)
            del _touched_code[key]
    for key, (code, wanted) in local.items():
        mon.set_local_events(tool, code, wanted | (events.LINE if key in bp._lined else 0))
        _touched_code[key] = code
    free = bool(_pause_until) or any(s.frame is None for s in _steps.values())
    active = bool(_steps) or bool(_pause_until)
    mon.register_callback(tool, events.LINE, _mon_line if active else bp._on_line)
    for event in (events.PY_RETURN, events.PY_YIELD, events.PY_UNWIND):
        mon.register_callback(tool, event, _mon_leave)
    mon.set_events(tool, bp.base_events() | (events.LINE if free else 0)
                   | (events.PY_UNWIND if _steps else 0) | extra_events())
    mon.restart_events()


def extra_events() -> int:
    """Global events another stop source (the ``raised`` filter) keeps on."""
    filters = sys.modules.get(__package__ + ".excfilters")
    return filters.global_events() if filters is not None else 0


def _mon_line(code: "Any", line: int) -> "Any":
    # Never DISABLE here: a stepping thread may still need any location.
    try:
        frame = sys._getframe(1)
        entry = bp._file_lines(code.co_filename)
        bps = entry.get(line) if entry else None
        if bps is not None and bp._hit(frame, bps):
            return None
        reason = _due(get_ident(), frame, code)
        if reason is not None:
            stop(frame, reason)
    except Exception:
        runtime.swallowed()
    return None


def _mon_leave(code: "Any", offset: int, arg: "Any") -> "Any":
    """PY_RETURN, PY_YIELD (the step's code and the thread's outermost only) and PY_UNWIND
    (any code, while a step is armed): the step's frame ending moves the step to its caller,
    the thread's ends the step."""
    try:
        ident = get_ident()
        step = _steps.get(ident)
        if step is not None:
            frame = sys._getframe(1)
            if frame is step.root:
                disarm(ident)
            elif frame is step.frame:
                _left(step, frame)
                _mon_refresh()
    except Exception:
        runtime.swallowed()
    return None


# ---- 3.8-3.11: the stepping thread's trace function -------------------------------------------

def _trace_call(frame: "Any", event: str, arg: "Any") -> "Any":
    """A stepping (or pausing) thread's global trace function: a new frame is traced when a
    stop may come in it."""
    ident = get_ident()
    step = _steps.get(ident)
    code = frame.f_code
    if step is None:
        if not (_pause_until and ident not in _paused):
            _restore_thread_trace(ident)
            return bp._global_trace(frame, event, arg)
        free = True
    else:
        free = step.frame is None
    if (free and not is_library(code.co_filename)) or bp.holds_breakpoint(code):
        return _trace_local
    return None


def _trace_local(frame: "Any", event: str, arg: "Any") -> "Any":
    try:
        ident = get_ident()
        if event == "line":
            entry = bp._file_lines(frame.f_code.co_filename)
            bps = entry.get(frame.f_lineno) if entry else None
            if bps is not None and bp._hit(frame, bps):
                return _after_stop(frame, ident)
            reason = _due(ident, frame, frame.f_code)
            if reason is not None:
                stop(frame, reason)
                return _after_stop(frame, ident)
            if ident not in _steps and not _pause_until:
                return _after_stop(frame, ident)  # left over from a step: untraced again
        elif event == "return":
            step = _steps.get(ident)
            if step is not None:
                if step.root is frame:
                    disarm(ident)
                    return None
                if step.frame is frame:
                    _left(step, frame)
                    _trace_targets(step, frame.f_back)
                elif step.frame is None and frame.f_back is not None and not is_library(
                        frame.f_back.f_code.co_filename):
                    _touch(step, frame.f_back)
    except Exception:
        runtime.swallowed()
    return _trace_local


def _after_stop(frame: "Any", ident: int) -> "Any":
    """The frame's trace function once a stop is over: ours while a step goes on in it."""
    if ident in _steps or (_pause_until and ident not in _paused):
        func = _trace_local
    else:
        func = bp._local_trace if bp.holds_breakpoint(frame.f_code) else None
    frame.f_trace = func
    return func


def _touch(step: "Optional[_Step]", frame: "Any") -> None:
    if frame.f_trace is not _trace_local:
        frame.f_trace_lines = True  # the raised filter traces frames without their lines
        frame.f_trace = _trace_local
        (step.touched if step is not None else _pause_touched).append(frame)


def _trace_targets(step: _Step, start: "Any") -> None:
    """Gives the frames the step can stop in our trace function: its frame, or every frame
    of user code on the thread's stack from ``start`` up."""
    if step.frame is not None:
        _touch(step, step.frame)
    else:
        _touch_user_frames(step, start)


def _touch_user_frames(step: "Optional[_Step]", frame: "Any") -> None:
    """Our trace function for every frame of user code from ``frame`` up its stack."""
    while frame is not None:
        if not is_library(frame.f_code.co_filename):
            _touch(step, frame)
        frame = frame.f_back


def _remember_trace(ident: int) -> None:
    """The thread's own trace function (this thread's), given back when we are done with it."""
    if ident not in _previous_trace:
        current = sys.gettrace()
        _previous_trace[ident] = None if current is _trace_call else current


def _trace_arm(ident: int, step: _Step, frame: "Any") -> None:
    _remember_trace(ident)
    _trace_targets(step, frame)
    _touch(step, step.root)
    if step.frame is not None and not step.stop_in:
        _touch(step, frame)  # stepOut: the frame's return is what moves the step
    sys.settrace(_trace_call)


def _restore_frame(frame: "Any") -> None:
    if frame.f_trace is _trace_local:
        frame.f_trace = bp._local_trace if bp.holds_breakpoint(frame.f_code) else None


def _restore_thread_trace(ident: int) -> None:
    if ident in _previous_trace and ident not in _steps:
        sys.settrace(_previous_trace.pop(ident))


def _trace_disarm(ident: int, step: _Step) -> None:
    for frame in step.touched:
        _restore_frame(frame)
    step.touched = []
    if not (_pause_until and ident not in _paused):
        _restore_thread_trace(ident)


def _trace_pause() -> None:
    """3.8-3.11: the main thread (this one, in the signal handler) traces every call while
    the request lasts; other threads pause only in the frames of user code on their stacks
    now, and only if they are traced already (breakpoints gave them a trace function)."""
    ident = get_ident()
    for other, top in sys._current_frames().items():
        if other not in _paused:
            _touch_user_frames(None, top)
    if ident not in _paused and ident not in _previous_trace:
        _remember_trace(ident)
        sys.settrace(_trace_call)


# ---- fork -------------------------------------------------------------------------------------

def _after_fork_in_child() -> None:
    """A process forked while a thread steps starts with no step armed and no pause."""
    global _pause_until
    steps = list(_steps.items())
    _steps.clear()
    _paused.clear()
    _pause_until = 0.0
    if _MONITORING:
        _mon_refresh()
        return
    for frame in _pause_touched:
        _restore_frame(frame)
    del _pause_touched[:]
    for _ident, step in steps:
        for frame in step.touched:
            _restore_frame(frame)
    _restore_thread_trace(get_ident())
    _previous_trace.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
