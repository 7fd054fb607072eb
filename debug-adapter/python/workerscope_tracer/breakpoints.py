"""Line breakpoints and logpoints in every process and thread of a debug session, from the
spec the runtime writes to ``<channel>/breakpoints.json`` (re-read on SIGRTMIN+8). Only code
objects holding a breakpoint line are watched: ``sys.monitoring`` on 3.12+, a trace function
on 3.8-3.11; a hit logs, or stops the thread the way a failure pauses it (pause.py)."""

import os
import sys
from _thread import get_ident
from itertools import count

from . import channel, runtime, wire
from .bprules import Breakpoint, Settings, parse_files, passes
from .bprules import thread_name as _thread_name
from .bprules import worker_name as _worker_name

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

SPEC_FILE = wire.BREAKPOINTS_FILE
_MONITORING = sys.version_info >= (3, 12)
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class _Spec:
    """One version of the spec with the caches made against it (replaced whole on a change, so
    a thread that is reading one is never confused by the next)."""

    def __init__(self, version: "Any", files: "Dict[str, Dict[int, List[Breakpoint]]]",
                 stamp: "Any", settings: "Any" = None) -> None:
        self.version = version
        self.files = files
        self.settings = settings if settings is not None else Settings(None, runtime.state.pause)
        self.basenames = {os.path.basename(path) for path in files}
        self.stamp = stamp  # (st_ino, st_mtime_ns, st_size) of the file read, or None
        self.by_name: "Dict[str, Any]" = {}   # co_filename -> its lines' breakpoints, or False
        self.code_hits: "Dict[int, Tuple[Any, bool]]" = {}  # id(code) -> (code, holds one)

    def breakpoints(self) -> "Iterator[Breakpoint]":
        for lines in self.files.values():
            for bps in lines.values():
                yield from bps


_spec = _Spec(None, {}, None)
_by_name: "Dict[str, Any]" = _spec.by_name  # the settrace hook's hot path reads them directly
_code_hits: "Dict[int, Tuple[Any, bool]]" = _spec.code_hits
_busy: "Set[int]" = set()   # threads inside a hit now: nothing they run stops them again
_stop_ids = count(1)
_start_cwd = ""
_applying = False
_pending = False


# ---- the spec --------------------------------------------------------------------------------

def _spec_path() -> "Optional[str]":
    ch = channel.get()
    return None if ch is None else os.path.join(ch.directory, SPEC_FILE)


def _stamp(st: "Any") -> "Tuple[int, int, int]":
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _read() -> "Optional[_Spec]":
    """The spec on disk; an absent file is no breakpoints, one that cannot be read or parsed
    (None) leaves the breakpoints as they are."""
    path = _spec_path()
    if path is None:
        return None
    try:
        with open(path, "rb") as f:
            stamp = _stamp(os.fstat(f.fileno()))
            data = f.read()
    except FileNotFoundError:
        return _Spec(None, {}, None)
    except OSError:
        return None
    try:
        obj = wire.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    if not isinstance(obj, dict):
        return None
    return _Spec(obj.get("version"), parse_files(obj.get("files")), stamp,
                 Settings(obj, runtime.state.pause))


def settings(fresh: bool = False) -> "Settings":
    """The session's settings: those applied, or (``fresh``) those on disk now, which a
    failure reads (the signal may not have reached the thread that handles it yet)."""
    if fresh:
        spec = _read()
        if spec is not None:
            return spec.settings
    return _spec.settings


def reload(force: bool = False) -> None:
    """Reads the spec and applies it unless its version is the one applied. A reload asked
    for while one runs (the signal, again) is done right after it."""
    global _applying, _pending
    if _applying:
        _pending = True
        return
    _applying = True
    try:
        while True:
            _pending = False
            spec = _read()
            if spec is not None and (force or spec.version != _spec.version
                                     or spec.version is None):
                _apply(spec)
            force = False
            if not _pending:
                break
    finally:
        _applying = False


def _apply(spec: _Spec) -> None:
    global _spec, _by_name, _code_hits
    previous = {(bp.id, bp.file, bp.line): bp.hits for bp in _spec.breakpoints()}
    for bp in spec.breakpoints():  # a breakpoint kept across versions keeps its count
        bp.hits = previous.get((bp.id, bp.file, bp.line), 0)
    _spec, _by_name, _code_hits = spec, spec.by_name, spec.code_hits
    if _MONITORING:
        _monitoring_apply()
    else:
        _trace_apply()
    _apply_settings(spec.settings)


_pause_seen: "Optional[int]" = None  # the spec's pause generation this process has served


def _apply_settings(new: "Settings") -> None:
    """justMyCode, the ``raised`` filter and a new pause request; the modules doing them are
    loaded only once a setting asks for them."""
    global _pause_seen
    package = __package__ + "."
    if not new.just_my_code or package + "usercode" in sys.modules:
        from . import usercode
        usercode.set_just_my_code(new.just_my_code)
    if new.raised or package + "excfilters" in sys.modules:
        from . import excfilters
        excfilters.set_raised(new.raised)
    if _pause_seen is None or new.pause <= _pause_seen:
        _pause_seen = new.pause if _pause_seen is None else _pause_seen
        return
    _pause_seen = new.pause
    from . import stepping
    stepping.request_pause()


_real_dirs: "Dict[str, str]" = {}


def _spec_path_of(spec: "_Spec", name: str) -> "Optional[str]":
    """The spec's path equal to ``os.path.realpath`` of a code object's file (made absolute
    against the start's working directory), if any. realpath costs an lstat per path component
    and a process runs code from dozens of files: a file whose name is no spec file's and is no
    symbolic link cannot resolve to one, and each directory is resolved once."""
    full = os.path.join(_start_cwd, name)
    directory, base = os.path.split(full)
    linked = os.path.islink(full)
    if base not in spec.basenames and not linked:
        return None
    if linked:
        path = os.path.realpath(full)
        return path if path in spec.files else None
    real_dir = _real_dirs.get(directory)
    if real_dir is None:
        real_dir = _real_dirs[directory] = os.path.realpath(directory)
    path = os.path.join(real_dir, base)
    return path if path in spec.files else None


def _file_lines(name: str) -> "Any":
    """The breakpoints of a code object's file by line, or False; cached per co_filename."""
    spec = _spec
    entry = spec.by_name.get(name)
    if entry is None:
        entry = False
        if spec.files and not name.startswith("<"):
            path = _spec_path_of(spec, name)
            if path is not None and not path.startswith(_PACKAGE_DIR):
                entry = spec.files[path]
        spec.by_name[name] = entry
    return entry


def holds_breakpoint(code: "Any") -> bool:
    """Whether one of the code object's own lines (not those of the functions, classes and
    comprehensions nested in it, code objects of their own) has a breakpoint."""
    spec = _spec
    cached = spec.code_hits.get(id(code))
    if cached is not None and cached[0] is code:
        return cached[1]
    entry = _file_lines(code.co_filename)
    if not entry:
        return False
    from .lines import line_starts
    hit = any(line in entry for line in line_starts(code) if line)
    spec.code_hits[id(code)] = (code, hit)
    return hit


def _running_frames() -> "Iterator[Any]":
    seen: "Set[int]" = set()
    for frame in sys._current_frames().values():
        while frame is not None and id(frame) not in seen:
            seen.add(id(frame))
            yield frame
            frame = frame.f_back


# ---- 3.12+: sys.monitoring ------------------------------------------------------------------

_TOOL_PREFERENCE = (3, 4, 5, 2, 1, 0)  # 0-2 are the debugger, coverage and profiler ids
_tool: "Optional[int]" = None
_lined: "Dict[int, Any]" = {}  # id(code) -> code objects given LINE events


def _claim_tool() -> "Optional[int]":
    mon = sys.monitoring  # type: ignore[attr-defined]
    for tool in _TOOL_PREFERENCE:
        if mon.get_tool(tool) is None:
            try:
                mon.use_tool_id(tool, "workerscope")
            except ValueError:  # taken meanwhile by another thread
                continue
            events = mon.events
            mon.register_callback(tool, events.PY_START, _on_start)
            mon.register_callback(tool, events.PY_RESUME, _on_start)
            mon.register_callback(tool, events.LINE, _on_line)
            return tool
    return None


def _monitoring_apply() -> None:
    """Clears the LINE events of the last version's code objects, then watches every code
    object's start again (a generator's resume too), and gives LINE events at once to the code
    of frames already running, so a loop running now sees a breakpoint added to it."""
    global _lined
    mon = sys.monitoring  # type: ignore[attr-defined]
    if _tool is None and not _spec.files:
        return  # claimed with the first breakpoint (or stop) only
    if claim_tool() is None:
        return
    old, _lined = _lined, {}
    for code in old.values():
        mon.set_local_events(_tool, code, 0)
    stepping = sys.modules.get(__package__ + ".stepping")
    if _spec.files:
        for frame in _running_frames():
            if holds_breakpoint(frame.f_code):
                _enable_lines(frame.f_code)
    if stepping is not None:
        stepping._mon_refresh()  # its events on top of these, and the restart
        return
    mon.set_events(_tool, base_events())
    mon.restart_events()


def base_events() -> int:
    """The breakpoint-only global events: every code object's start, a generator's resume."""
    events = sys.monitoring.events  # type: ignore[attr-defined]
    return events.PY_START | events.PY_RESUME if _spec.files else 0


def claim_tool() -> "Optional[int]":
    global _tool
    if _tool is None:
        _tool = _claim_tool()
    return _tool


def _enable_lines(code: "Any") -> None:
    if id(code) not in _lined:
        mon = sys.monitoring  # type: ignore[attr-defined]
        # OR'd: a step may watch the code's returns (stepping.py)
        mon.set_local_events(_tool, code, mon.get_local_events(_tool, code) | mon.events.LINE)
        _lined[id(code)] = code


def _on_start(code: "Any", offset: int) -> "Any":
    try:
        if holds_breakpoint(code):
            _enable_lines(code)
    except Exception:
        runtime.swallowed()
    return sys.monitoring.DISABLE  # type: ignore[attr-defined]


def _on_line(code: "Any", line: int) -> "Any":
    try:
        entry = _file_lines(code.co_filename)
        bps = entry.get(line) if entry else None
        if bps is None:
            return sys.monitoring.DISABLE  # type: ignore[attr-defined]
        _hit(sys._getframe(1), bps)
    except Exception:
        runtime.swallowed()
    return None


# ---- 3.8-3.11: sys.settrace -----------------------------------------------------------------

_tracing = False


def _global_trace(frame: "Any", event: str, arg: "Any") -> "Any":
    # Called at every call in a traced thread: one dict lookup for a file without breakpoints,
    # two for a code object of a file with some, seen before.
    code = frame.f_code
    if _by_name.get(code.co_filename) is False:
        return None
    cached = _code_hits.get(id(code))
    if cached is not None and cached[0] is code:
        return _local_trace if cached[1] else None
    return _local_trace if holds_breakpoint(code) else None


def _local_trace(frame: "Any", event: str, arg: "Any") -> "Any":
    if event == "line":
        try:
            entry = _file_lines(frame.f_code.co_filename)
            bps = entry.get(frame.f_lineno) if entry else None
            if bps is not None:
                if _hit(frame, bps):
                    return frame.f_trace  # a step armed at the stop traces the frame its way
            elif not holds_breakpoint(frame.f_code):
                return None  # no breakpoint left in this code: its frame goes untraced
        except Exception:
            runtime.swallowed()
    return _local_trace


def _trace_apply() -> None:
    """Installs the trace function with the first breakpoint (in this thread and, through
    ``threading.settrace``, in threads started later), then traces the frames running now
    whose code holds a breakpoint (another thread's only if it is traced already)."""
    global _tracing
    if not _spec.files:
        if _tracing:
            _untrace()
        return
    if not _tracing:
        current = sys.gettrace()
        ours = _trace_of_ours(current)
        if current is not None and current is not _global_trace and not ours:
            return  # the program's own tracer (coverage...) is left alone
        _tracing = True
        if not ours:
            sys.settrace(_global_trace)
        elif get_ident() in getattr(sys.modules.get(__package__ + ".stepping"),
                                    "_previous_trace", {}):
            # This thread steps: the trace function it gets back when the step is over.
            sys.modules[__package__ + ".stepping"]._previous_trace[get_ident()] = _global_trace
        threading = sys.modules.get("threading")
        if threading is not None:
            threading_imported(threading)
    for frame in _running_frames():
        if frame.f_trace is None and holds_breakpoint(frame.f_code):
            frame.f_trace = _local_trace


def _untrace() -> None:
    """The last breakpoint is gone: this thread (the main one, where the reload signal lands and
    where a pool worker runs its tasks) and threads started later run untraced again. A thread
    already running keeps the function (3.8-3.11 cannot take it from another thread); it returns
    None at each call."""
    global _tracing
    _tracing = False
    if sys.gettrace() is _global_trace:
        sys.settrace(None)
    threading = sys.modules.get("threading")
    if threading is not None and getattr(threading, "_trace_hook", None) is _global_trace:
        threading.settrace(None)  # type: ignore[arg-type]
    previous = getattr(sys.modules.get(__package__ + ".stepping"), "_previous_trace", None)
    if previous:  # a stepping thread gets no breakpoint function back when its step ends
        for ident, func in list(previous.items()):
            if func is _global_trace:
                previous[ident] = None


def _trace_of_ours(func: "Any") -> bool:
    """A stepping thread's or the raised filter's trace function (stepping, excfilters)."""
    module = getattr(func, "__module__", None)
    return isinstance(module, str) and module.startswith(__package__ + ".")


def threading_imported(module: "Any") -> None:
    """Threads started from now on trace (``threading`` was imported after the tracer): for
    breakpoints, or for the ``raised`` exception filter when it is on (excfilters.py)."""
    filters = sys.modules.get(__package__ + ".excfilters")
    hook = filters._raised_call if filters is not None and filters._raised else (
        _global_trace if _tracing else None)
    if hook is not None and getattr(module, "_trace_hook", None) is None:
        module.settrace(hook)


# ---- a hit ----------------------------------------------------------------------------------

def _hit(frame: "Any", bps: "List[Breakpoint]") -> bool:
    """Conditions, hit counts, logs; stops for the first breakpoint of the line that says so
    (True then). Not in a thread already stopped or evaluating for the debugger, nor in a
    helper process."""
    ident = get_ident()
    if ident in _busy or runtime.state.helper:
        return False
    pause = sys.modules.get(__package__ + ".pause")
    # Another thread may be importing pause right now: until it defines `waiting`, nobody waits.
    if ident in getattr(pause, "waiting", ()):
        return False
    _busy.add(ident)
    try:
        for bp in bps:
            if passes(frame, bp):
                from . import stepping  # the stop, and the step it may resume with
                stepping.stop(frame, "breakpoint", breakpoint=bp.id)
                return True
    finally:
        _busy.discard(ident)
    return False


def next_stop_id() -> str:
    return "%d-s%d" % (os.getpid(), next(_stop_ids))


# ---- installation ---------------------------------------------------------------------------

def signum() -> "Optional[int]":
    import _signal
    low, high = getattr(_signal, "SIGRTMIN", None), getattr(_signal, "SIGRTMAX", None)
    if low is None or high is None or low + wire.BREAKPOINT_SIGNAL_OFFSET > high:
        return None
    return low + wire.BREAKPOINT_SIGNAL_OFFSET


def _on_signal(signum: int, frame: "Any") -> None:
    try:
        reload()
    except Exception:
        runtime.swallowed()


def _install_signal() -> None:
    """The reload signal's handler, only where the program has none (SIG_DFL); in the main
    thread (a handler cannot be set elsewhere)."""
    import _signal
    sig = signum()
    if sig is None or _signal.getsignal(sig) != _signal.SIG_DFL:
        return
    try:
        _signal.signal(sig, _on_signal)
    except (ValueError, OSError):  # not the main thread
        pass


def _after_fork_in_child() -> None:
    """The child keeps the breakpoints with fresh counts; a spec the runtime rewrote while the
    parent forked (its signal not handled yet, the child not yet there to get one) is read."""
    global _busy, _stop_ids, _applying, _pending
    _busy = set()
    _applying = _pending = False  # another thread of the parent may have been applying
    _stop_ids = count(1)
    pause = sys.modules.get(__package__ + ".pause")
    if pause is not None:
        pause.waiting.clear()  # the forking thread's evaluate, if any, is the parent's
    for bp in _spec.breakpoints():
        bp.hits = 0
    path = _spec_path()
    try:
        stamp = _stamp(os.stat(path)) if path else None
    except OSError:
        stamp = None
    if stamp != _spec.stamp:
        try:
            reload()
        except Exception:
            runtime.swallowed()


def install() -> None:
    """Called by install.install() with WORKERSCOPE_BREAKPOINTS=1, in the main thread. The
    signal handler first: a spec rewritten after the read below is then signalled to us."""
    global _start_cwd
    try:
        _start_cwd = os.getcwd()
    except OSError:
        _start_cwd = "/"
    _install_signal()
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_in_child)
    reload(force=True)
