"""Runs the debugged program in the editor's terminal (launch attribute ``console``):
``python -S .../workerscope_tracer/tools/terminal.py -- python3 script.py args``, started by the
client's ``runInTerminal``.

The debug session's runtime is not the program's parent, so this launcher stands in for it: it
asks the runtime (a Unix socket in the private channel directory) whether to start, starts the
program as its child in the terminal's foreground process group (``input()`` and Ctrl-C work as
in a plain run), tells the runtime the program's pid and, once it has ended, its exit status or
signal, and then ends the same way itself, so the terminal shows what the program did. Stdlib
only, run as a script with ``-S``: no tracer is installed in this process, and nothing of the
tracer is imported.

Messages, one JSON object per line. Launcher to runtime: ``{"hello": 1, "launcher": PID}``,
``{"pid": PID}`` or ``{"error": TEXT}``, ``{"hangup": true}`` (the terminal was closed),
``{"exit": CODE}`` or ``{"signal": NUMBER}``. Runtime to launcher: ``{"start": true}`` or
``{"start": false, "why": TEXT}``.
"""
import sys

if __name__ == "__main__":
    # Run as a script, this folder would come first on the module path: only the stdlib is meant.
    del sys.path[0]

import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402

CHANNEL_VARIABLE = "WORKERSCOPE_TERMINAL_CHANNEL"
SOCKET_NAME = "terminal.sock"
# The runtime answers the hello at once; a runtime that never does has lost its way.
ANSWER_TIMEOUT = 30.0

_child = None  # type: ignore  # the program's pid once it runs
_pending = []  # signals to pass on that came before the pid was known
_link = None  # type: ignore  # the socket to the runtime, None once it is gone


def _say(text: str) -> None:
    try:
        sys.stderr.write("workerscope: %s\n" % text)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass  # a terminal that has gone cannot be told


def _send(message: "dict") -> None:
    """One line to the runtime; a runtime that went away leaves the program running alone."""
    global _link
    if _link is None:
        return
    try:
        _link.sendall((json.dumps(message) + "\n").encode("utf-8"))
    except OSError:
        _link = None


def _connect(channel: str) -> "tuple":
    """(socket, None) once the runtime said to start, else (None, why not)."""
    link = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        link.connect(os.path.join(channel, SOCKET_NAME))
    except OSError as exc:
        link.close()
        return None, "the debug session that started this terminal has ended (%s)" % exc.strerror
    link.settimeout(ANSWER_TIMEOUT)
    received = b""
    try:
        link.sendall((json.dumps({"hello": 1, "launcher": os.getpid()}) + "\n").encode("utf-8"))
        while b"\n" not in received:
            chunk = link.recv(4096)
            if not chunk:
                break
            received += chunk
        answer = json.loads(received.split(b"\n", 1)[0].decode("utf-8"))
    except (OSError, ValueError) as exc:
        link.close()
        return None, "the debug session did not answer (%s)" % exc
    if not isinstance(answer, dict) or answer.get("start") is not True:
        link.close()
        why = answer.get("why") if isinstance(answer, dict) else None
        return None, str(why or "the debug session did not start the program")
    link.settimeout(None)
    return link, None


def _pass_on(signum: int, _frame: "object") -> None:
    """SIGTERM to us is for the program, as if we were not here."""
    if _child is None:
        _pending.append(signum)
        return
    try:
        os.kill(_child, signum)
    except OSError:
        pass  # it has ended already: its status is on its way


def _hung_up(_signum: int, _frame: "object") -> None:
    # The terminal was closed: the program's group has had its SIGHUP from the terminal; the
    # session ends the rest of the program's tree, whatever the program does with the signal.
    _send({"hangup": True})


def _keyboard(_signum: int, _frame: "object") -> None:
    # Ctrl-C and Ctrl-\ reach the whole foreground group: they are the program's to act on.
    # A handler, not SIG_IGN: the program must not inherit an ignored signal through exec.
    return None


def _install_handlers() -> "tuple":
    handled = []
    for name, handler in (("SIGINT", _keyboard), ("SIGQUIT", _keyboard),
                          ("SIGTERM", _pass_on), ("SIGHUP", _hung_up)):
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, handler)
            handled.append(number)
    # Python ignores these itself; a program started from a shell has them at their defaults.
    for name in ("SIGPIPE", "SIGXFSZ"):
        number = getattr(signal, name, None)
        if number is not None:
            handled.append(number)
    return tuple(handled)


def _wait(pid: int) -> int:
    """The program's exit code, or -signal."""
    while True:
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            return 0  # someone else reaped it: nothing is known of its end
        if os.WIFSIGNALED(status):
            return -os.WTERMSIG(status)
        if os.WIFEXITED(status):
            return os.WEXITSTATUS(status)


def _end_like(code: int) -> int:
    """Ends this process as the program ended, so the terminal (and `$?`) show its status."""
    if code >= 0:
        return code
    number = -code
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # the terminal may have gone
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # the program's crash, not ours, dumps
    except (ImportError, OSError, ValueError):
        pass  # no core limit to set here: a dump of this small process does no harm
    try:
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
    except (OSError, ValueError, RuntimeError):
        pass  # not a signal we can die of (SIGKILL's default cannot be set): the shell's code
    return 128 + number


def main(argv: "list") -> int:
    global _child, _link
    if len(argv) < 2 or argv[0] != "--":
        _say("usage: python -S terminal.py -- PROGRAM [ARGS...]")
        return 2
    channel = os.environ.get(CHANNEL_VARIABLE)
    if not channel:
        _say("%s is not set: this launcher is started by a Workerscope debug session" % CHANNEL_VARIABLE)
        return 2
    _link, why = _connect(channel)
    if _link is None:
        _say("not starting %s: %s" % (" ".join(argv[1:]), why))
        return 1
    env = dict(os.environ)
    del env[CHANNEL_VARIABLE]
    env["WORKERSCOPE_CHANNEL"] = channel
    # The program's own process announces its interpreter when its parent is the launcher.
    env["WORKERSCOPE_LAUNCHER"] = str(os.getpid())
    defaults = _install_handlers()
    try:
        pid = os.posix_spawnp(argv[1], argv[1:], env, setsigdef=defaults)
    except OSError as exc:
        message = "could not start %s: %s" % (argv[1], exc.strerror or exc)
        _send({"error": message})
        _say(message)
        return 126 if exc.errno == getattr(os, "EACCES", None) else 127
    _child = pid
    _send({"pid": pid})
    for signum in _pending:
        _pass_on(signum, None)
    code = _wait(pid)
    _send({"exit": code} if code >= 0 else {"signal": -code})
    if _link is not None:
        _link.close()
    return _end_like(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
