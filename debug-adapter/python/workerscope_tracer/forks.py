"""Children made with a bare ``os.fork()``: traced as processes of their own.

``install`` registers fork hooks that send every fork not made by multiprocessing or
concurrent.futures (which have their own path, hooks_process) here; ``os.fork`` itself is
left alone, so a warning it gives (3.12's multi-threaded fork) still names the caller's line.
The child announces itself (``process-start``, role ``process``, named ``os.fork()``); an
uncaught exception in it is a ``process-exception`` failure, and so is one still in flight
when it calls ``os._exit`` (which CPython never prints).  The parent reports the child's status
(``child-exit``) when it reaps it through ``os.wait``/``waitpid``/``wait3``/``wait4``, which
are wrapped only once the program has made such a fork; a reaped pid is its bare child when
the child's channel file opens with that announcement.  Loaded by the first bare fork only.
"""

import os
import sys

from . import channel, runtime, wire
from .runtime import state

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional

NAME = "os.fork()"
_in_child = False
_site = None  # type: Optional[Dict[str, Any]]
_waits_wrapped = False
_exited_in = []  # type: List[int]


def _where(caller: "Any") -> "Optional[Dict[str, Any]]":
    try:
        from .frames import absolute
        return {"file": absolute(caller.f_code.co_filename), "line": caller.f_lineno}
    except Exception:
        runtime.swallowed()
        return None


def parent_forked() -> None:
    """In the parent, after a bare fork: its waits are watched from now on."""
    _wrap_waits()


def child_started(caller: "Any") -> None:
    """In the child of a bare fork, right after it (``caller``: the frame that forked)."""
    global _in_child, _site
    _in_child, _site = True, _where(caller)
    state.role = wire.ROLE_PROCESS
    runtime.emit(wire.PROCESS_START, ppid=os.getppid(), owner=os.getppid(),
                 role=wire.ROLE_PROCESS, name=NAME)
    _wrap_os_exit()
    from . import install
    install.wrap_excepthook()  # the user's own hook, if set since, is wrapped now


def _task() -> "Dict[str, Any]":
    return {"function": "os.fork", "args": [], "kwargs": {}, "submittedAt": _site}


def _wrap_os_exit() -> None:
    """``os._exit`` ends the child at once: its status is reported, and an exception still in
    flight (``finally: os._exit(0)``, an ``except`` that ends the child) is the child's failure,
    printed or not. A plain ``os._exit(n)`` only gives the parent a status: no failure."""
    original = os._exit
    if getattr(original, "_workerscope_fork", False):
        return

    def _exit(status: "Any") -> None:
        try:
            if _in_child and os.getpid() not in _exited_in:
                _exited_in.append(os.getpid())
                exc = sys.exc_info()[1]
                if exc is not None and not isinstance(exc, (SystemExit, KeyboardInterrupt)):
                    runtime.report_failure(wire.PROCESS_EXCEPTION, exc, exc.__traceback__,
                                           task=_task(), worker=NAME)
                runtime.emit(wire.PROCESS_EXIT, exitCode=status)
        except Exception:
            runtime.swallowed()
        original(status)

    _exit._workerscope_fork = True  # type: ignore[attr-defined]
    os._exit = runtime.rename_like(_exit, original)


def uncaught(exc: "BaseException", tb: "Any") -> None:
    """Called by the tracer's excepthook: the uncaught exception of a forked child."""
    if not _in_child or isinstance(exc, (SystemExit, KeyboardInterrupt)):
        return
    runtime.report_failure(wire.PROCESS_EXCEPTION, exc, tb, task=_task(), worker=NAME)


def _wrap_waits() -> None:
    global _waits_wrapped
    if _waits_wrapped:
        return
    _waits_wrapped = True
    for name in ("waitpid", "wait", "wait3", "wait4"):
        original = getattr(os, name, None)
        if original is not None:
            setattr(os, name, runtime.rename_like(_reporting(original), original))


def _reporting(original: "Callable[..., Any]") -> "Callable[..., Any]":
    def wait(*args: "Any", **kwargs: "Any") -> "Any":
        result = original(*args, **kwargs)
        try:
            pid, status = result[0], result[1]
            if pid > 0 and (os.WIFEXITED(status) or os.WIFSIGNALED(status)) \
                    and _is_bare_child(pid):
                code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
                runtime.emit(wire.CHILD_EXIT, child=pid, name=NAME, role=wire.ROLE_PROCESS,
                             exitCode=code, terminated=False)
        except Exception:
            runtime.swallowed()
        return result
    return wait


def _is_bare_child(pid: int) -> bool:
    """Whether the child's channel file opens with its announcement as our bare fork."""
    ch = channel.get()
    if ch is None:
        return False
    try:
        with open(ch.path_for(pid), "rb") as f:
            first = f.readline(4096)
        record = wire.decode_lines(first)
    except OSError:
        return False
    return bool(record) and record[0].get("kind") == wire.PROCESS_START \
        and record[0].get("name") == NAME and record[0].get("owner") == os.getpid()
