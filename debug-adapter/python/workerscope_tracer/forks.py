"""Children made with a bare ``os.fork()``: traced as processes of their own.

``install`` wraps ``os.fork``; a fork made by multiprocessing or concurrent.futures keeps its
own path (hooks_process), and every other one comes here.  The child announces itself
(``process-start``, role ``process``, named ``os.fork()``), an uncaught exception in it is a
``process-exception`` failure, and ``os._exit(n)`` with n != 0 an ``exited`` one, as for a
``Process`` target.  The parent reports the child's status (``child-exit``) when it reaps it
through ``os.wait``/``waitpid``/``wait3``/``wait4``, which are wrapped only once a program has
made such a fork.  This module is loaded by the first bare fork, never before.
"""

import os
import sys

from . import runtime, wire
from .runtime import state

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Optional

NAME = "os.fork()"
_children = {}  # type: Dict[int, Optional[Dict[str, Any]]]  # pid -> where it was forked
_in_child = False
_site = None  # type: Optional[Dict[str, Any]]
_waits_wrapped = False


def fork(original: "Callable[[], int]", caller: "Any") -> int:
    """Run the real fork for a caller outside multiprocessing; trace the child it makes."""
    site = None
    try:
        from .frames import absolute  # loaded before the fork, not once per child
        if caller is not None:
            site = {"file": absolute(caller.f_code.co_filename), "line": caller.f_lineno}
    except Exception:
        pass
    pid = original()
    try:
        if pid == 0:
            _child_started(site)
        else:
            _children[pid] = site
            _wrap_waits()
    except Exception:
        pass
    return pid


def _task() -> "Dict[str, Any]":
    return {"function": "os.fork", "args": [], "kwargs": {}, "submittedAt": _site}


def _child_started(site: "Optional[Dict[str, Any]]") -> None:
    global _in_child, _site
    _in_child, _site = True, site
    _children.clear()  # the parent's children are not ours to reap
    state.role = wire.ROLE_PROCESS
    runtime.emit(wire.PROCESS_START, ppid=os.getppid(), owner=os.getppid(),
                 role=wire.ROLE_PROCESS, name=NAME)
    _wrap_os_exit()
    from . import install
    install.wrap_excepthook()  # the user's own hook, if set since, is wrapped now


def _wrap_os_exit() -> None:
    original = os._exit
    if getattr(original, "_workerscope_fork", False):
        return

    def _exit(status: "Any") -> None:
        try:
            if _in_child and os.getpid() not in _exited_in:
                _exited_in.append(os.getpid())
                if status != 0:
                    from .frames import frames_from_stack
                    runtime.emit(wire.WORKER_LOST, child=os.getpid(), worker=NAME,
                                 role=wire.ROLE_PROCESS, exitCode=status, signal=None, key=None,
                                 chunk=None, pos=None, task=_task(),
                                 frames=frames_from_stack(sys._getframe(1)))
                runtime.emit(wire.PROCESS_EXIT, exitCode=status)
        except Exception:
            pass
        original(status)

    _exit._workerscope_fork = True  # type: ignore[attr-defined]
    os._exit = runtime.rename_like(_exit, original)


_exited_in = []  # type: list


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
            if pid in _children and (os.WIFEXITED(status) or os.WIFSIGNALED(status)):
                _children.pop(pid)
                code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
                runtime.emit(wire.CHILD_EXIT, child=pid, name=NAME, role=wire.ROLE_PROCESS,
                             exitCode=code, terminated=False)
        except Exception:
            pass
        return result
    return wait
