"""Runs the program in a forked copy of the supervisor's own interpreter.

Starting a second interpreter is most of the tracer's fixed cost, so when the supervisor runs
on the program's interpreter with ``site`` loaded, it forks and the child becomes the program:
``__main__``, ``sys.argv``, ``sys.path[0]``, tracebacks and exit status as ``python script.py``
would have them.
"""

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional

_ZIP_MAGIC = b"PK\x03\x04"


def can_run_in_place(program: str, python: str) -> bool:
    """Only a plain source file, on this very interpreter, started with site (so that spawned
    children, which inherit the interpreter's flags, get site-packages too)."""
    if not hasattr(os, "fork") or sys.flags.no_site:
        return False
    if os.environ.get("WORKERSCOPE_FRESH_INTERPRETER") == "1":
        return False
    try:
        if os.path.realpath(python) != os.path.realpath(sys.executable):
            return False
        if program.endswith((".pyc", ".pyo")) or not os.path.isfile(program):
            return False
        with open(program, "rb") as f:
            return f.read(4) != _ZIP_MAGIC  # a zip application runs its __main__.py
    except OSError:
        return False


def fork_program(program: str, args: "List[str]", env_changes: "Dict[str, Optional[str]]",
                 channel_dir: str) -> int:
    """Fork; in the parent return the child's pid, in the child run the program and never return
    (its exit leaves through SystemExit or an exception, as a plain run's would)."""
    from .. import install  # loaded before the fork: the program would pay for it after
    # Signals for the program wait, blocked, for the supervisor to pass them on (the mask
    # outlives the exec of its second stage); the program unblocks them at once.
    _set_forwarded_mask(True)
    pid = os.fork()
    if pid:
        return pid
    # No session or group of its own: where `python script.py` would be (a hang finds the
    # program's processes by tree.py instead). Signals the first stage blocked are unblocked.
    _set_forwarded_mask(False)
    _become_program(program, args, env_changes, channel_dir)
    raise AssertionError("unreachable")  # pragma: no cover


def _set_forwarded_mask(block: bool) -> None:
    try:
        import _signal
        from . import forward
        _signal.pthread_sigmask(_signal.SIG_BLOCK if block else _signal.SIG_UNBLOCK,
                                forward.signals())
    except Exception:
        from ..runtime import swallowed
        swallowed()


def _become_program(program: str, args: "List[str]", env_changes: "Dict[str, Optional[str]]",
                    channel_dir: str) -> None:
    for key, value in env_changes.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    try:
        from .. import install
        install.install(channel_dir)
    except Exception:  # tracing must never stop the program
        from ..runtime import swallowed
        swallowed()

    from . import PYTHON_DIR
    here = PYTHON_DIR
    script_dir = os.path.dirname(os.path.realpath(program))
    entries = list(sys.path)
    if entries and not getattr(sys.flags, "safe_path", False):
        entries[0] = script_dir  # the launcher's own entry (its directory, or the cwd for -m)
    sys.path[:] = [p for p in entries if not p or os.path.abspath(p) != here]
    sys.argv[:] = [program] + list(args)
    if hasattr(sys, "orig_argv"):
        sys.orig_argv = sys.orig_argv[:1] + [program] + list(args)

    file_name = program if sys.version_info < (3, 9) else os.path.abspath(program)
    import builtins
    main = type(sys)("__main__")
    loader_type = sys.modules["_frozen_importlib_external"].SourceFileLoader
    main.__dict__.update(__file__=file_name, __cached__=None, __builtins__=builtins,
                         __loader__=loader_type("__main__", file_name), __spec__=None,
                         __package__=None)
    _previous_main = sys.modules.get("__main__")  # noqa: F841 - keeps the launcher alive
    sys.modules["__main__"] = main
    try:
        with open(program, "rb") as f:
            source = f.read()
        # dont_inherit: no __future__ flag of the launching code may reach the program.
        code = compile(source, file_name, "exec", dont_inherit=True)
        exec(code, main.__dict__)
    except SystemExit:
        raise
    except BaseException as exc:
        _report_uncaught(exc)
        raise
    raise SystemExit(0)


def _report_uncaught(exc: "BaseException") -> None:
    """Print the traceback exactly as a plain run would (without this module's frame), then let
    the interpreter finish the job: exit status 1, or death by SIGINT for KeyboardInterrupt."""
    tb = exc.__traceback__
    if tb is not None and tb.tb_frame.f_code is _become_program.__code__:
        tb = tb.tb_next
    exc.with_traceback(tb)
    hook = sys.excepthook
    try:
        hook(type(exc), exc, tb)
    except Exception:  # the program's own hook failed: CPython too prints with its own then
        sys.__excepthook__(type(exc), exc, tb)

    def printed_already(*_args: "Any") -> None:
        sys.excepthook = hook  # one call only: the interpreter's, for the exception re-raised

    sys.excepthook = printed_already
