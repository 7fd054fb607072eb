"""Passes the signals sent to ``python -m workerscope_tracer`` on to the program it runs.

The program shares the supervisor's process group (as ``python script.py`` would be the
shell's job), so a signal the terminal generated (si_code SI_KERNEL: Ctrl-C, Ctrl-\\, Ctrl-Z, a
resize, a hangup) has reached it already and is not sent twice; anything else sent to the
supervisor (``kill PID``) goes to the program's own process.  Ctrl-Z stops the supervisor too
once the program has stopped, so that the shell sees the job stop.
"""

import os
import time

try:  # the C module: "signal" itself imports enum
    import _signal as signal
except ImportError:  # pragma: no cover
    import signal  # type: ignore[no-redef]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, List, Optional

# The signals a shell or a terminal delivers, and `kill` sends by name.
NAMES = ("SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGCONT",
         "SIGTSTP")
SI_KERNEL = 0x80  # Linux: sent by the kernel (the terminal), to the whole foreground group


def signals() -> "List[int]":
    return [getattr(signal, name) for name in NAMES if hasattr(signal, name)]


def deliver(pid: int, signo: int, code: "Optional[int]") -> None:
    """Act on ``signo`` received by the supervisor (``code``: its si_code, None if unknown)."""
    if not _reached_program(code):
        try:
            os.kill(pid, signo)
        except OSError:
            pass
    if signo == getattr(signal, "SIGTSTP", None):
        stop_with(pid)


def _reached_program(code: "Optional[int]") -> bool:
    if code is not None:
        return code == SI_KERNEL
    try:  # no siginfo: a terminal's foreground group got it, if that group is ours
        return os.tcgetpgrp(0) == os.getpgrp()
    except OSError:
        return False


def stop_with(pid: int) -> None:
    """Stop this process once the program has stopped (one that ignores SIGTSTP goes on)."""
    deadline = time.monotonic() + 1.0
    state = _state(pid)
    while state not in (None, "T") and time.monotonic() < deadline:
        time.sleep(0.01)
        state = _state(pid)
    if state in (None, "T"):
        os.kill(os.getpid(), signal.SIGSTOP)


def _state(pid: int) -> "Optional[str]":
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            text = f.read()
        return text[text.rindex(b")") + 2:].split()[0].decode("ascii", "replace")
    except (OSError, ValueError, IndexError):
        return None


def install_handlers(pid: int) -> None:
    """Where signals cannot be waited for (no sigtimedwait): forward from handlers."""
    def handler(signo: int, _frame: "Any") -> None:
        deliver(pid, signo, None)
    for signo in signals():
        try:
            signal.signal(signo, handler)
        except (OSError, ValueError):
            pass


def ignore() -> None:
    """Once the program has ended: these signals are dropped (pending ones too)."""
    for signo in signals():
        try:
            signal.signal(signo, signal.SIG_IGN)
        except (OSError, ValueError):
            pass
