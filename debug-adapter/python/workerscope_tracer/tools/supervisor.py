"""``python -m workerscope_tracer``: runs a program under the tracer and writes the report.

The program runs as a child in the supervisor's own process group and session (where a plain
run would be) with stdin/stdout/stderr inherited; the supervisor passes the signals sent to it
on to the program (forward.py), watches the channel for pool workers lost mid-task (CPython
gh-66587 hangs), ending the program's whole tree (tree.py), and exits with its status.
With ``--watch PID`` the editor's runtime has started the program itself and tells the
supervisor on stdin how it ended; the supervisor then only watches and writes the report.
Imports are kept minimal: the supervisor's own startup is part of the measured overhead.
"""

import os
import sys
import time

try:  # the C module: "signal" itself imports enum, a few ms of startup we do not need
    import _signal as signal
except ImportError:  # pragma: no cover
    import signal  # type: ignore[no-redef]

from .. import wire
from . import BOOTSTRAP_DIR, PYTHON_DIR
from .bytecode import ensure_bytecode
from .hangwatch import HangWatch

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple

USAGE = ("usage: python -m workerscope_tracer [--report FILE] [--hang-timeout S] "
         "[--stall-timeout S [--stall-keep-running]] "
         "[--detect-races] [--python PATH] [--channel DIR] [--no-summary] [--events] "
         "-- script.py [args...]\n")
HANG_EXIT_CODE = 124
LAUNCHER = os.path.join(PYTHON_DIR, "workerscope_supervise.py")


class UsageError(Exception):
    pass


def parse_args(argv: "List[str]") -> "Dict[str, Any]":
    opts: "Dict[str, Any]" = {"report": None, "hang_timeout": 10.0, "detect_races": False,
                            "stall_timeout": None, "stall_keep_running": False,
                            "python": None, "channel": None, "summary": True, "events": False,
                            "program": None, "args": [], "adopt": None, "watch": None,
                            "remove_channel": False}
    valued = {"--report": "report", "--hang-timeout": "hang_timeout", "--python": "python",
              "--stall-timeout": "stall_timeout",
              "--channel": "channel", "--adopt": "adopt", "--watch": "watch"}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest = argv[i + 1:]
            break
        if arg in ("-h", "--help"):
            raise UsageError("")
        name, eq, value = arg.partition("=")
        if name in valued:
            if not eq:
                i += 1
                if i >= len(argv):
                    raise UsageError("%s needs a value" % name)
                value = argv[i]
            opts[valued[name]] = value
        elif arg == "--detect-races":
            opts["detect_races"] = True
        elif arg == "--no-summary":
            opts["summary"] = False
        elif arg == "--events":
            opts["events"] = True
        elif arg == "--stall-keep-running":
            opts["stall_keep_running"] = True
        elif arg == "--remove-channel":
            opts["remove_channel"] = True
        elif arg.startswith("-"):
            raise UsageError("unknown option %s" % arg)
        else:
            rest = argv[i:]
            break
        i += 1
    else:
        rest = []
    if not rest:
        raise UsageError("no program given")
    opts["program"], opts["args"] = rest[0], rest[1:]
    try:
        opts["hang_timeout"] = float(opts["hang_timeout"])
    except ValueError:
        raise UsageError("--hang-timeout must be a number of seconds")
    if opts["stall_timeout"] is not None:
        try:
            opts["stall_timeout"] = float(opts["stall_timeout"])
        except ValueError:
            opts["stall_timeout"] = -1.0
        if not opts["stall_timeout"] > 0:
            raise UsageError("--stall-timeout must be a positive number of seconds")
    if opts["adopt"] is not None:
        if not opts["channel"] or not opts["adopt"].isdigit():
            raise UsageError("--adopt needs a pid and --channel")
        opts["adopt"] = int(opts["adopt"])
    if opts["watch"] is not None:
        if not opts["channel"] or not opts["watch"].isdigit() or opts["adopt"] is not None:
            raise UsageError("--watch needs a pid and --channel")
        opts["watch"] = int(opts["watch"])
    return opts


def make_private_dir() -> str:
    """Like tempfile.mkdtemp (mode 0700, unpredictable name) without importing tempfile."""
    from .privatedir import make
    path, why = make()
    if path is None:
        raise OSError(why)
    return path


def check_private_dir(path: str) -> None:
    """A --channel directory must exist, be ours and be private (0700)."""
    import stat
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode):
        raise UsageError("--channel %s is not a directory" % path)
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise UsageError("--channel %s is not owned by the current user" % path)
    if st.st_mode & 0o077:
        raise UsageError("--channel %s must have mode 0700" % path)


class Tail:
    """Incremental reader of the channel's event files (for live hang detection)."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.offsets: "Dict[str, int]" = {}
        self.partial: "Dict[str, bytes]" = {}

    def poll(self) -> "List[Dict[str, Any]]":
        out: "List[Dict[str, Any]]" = []
        try:
            names = os.listdir(self.directory)
        except OSError:
            return out
        for name in names:
            if not name.endswith(wire.EVENTS_SUFFIX):
                continue
            path = os.path.join(self.directory, name)
            try:
                with open(path, "rb") as f:
                    f.seek(self.offsets.get(name, 0))
                    data = f.read()
            except OSError:
                continue
            if not data:
                continue
            self.offsets[name] = self.offsets.get(name, 0) + len(data)
            data = self.partial.pop(name, b"") + data
            cut = data.rfind(b"\n") + 1
            if cut < len(data):
                self.partial[name] = data[cut:]
            lines = data[:cut]
            if _SPANS_LINE in lines:  # the timeline's batches: nothing the watch looks at
                lines = b"\n".join(line for line in lines.split(b"\n")
                                    if not line.startswith(_SPANS_LINE))
            out.extend(wire.decode_lines(lines))
        return out


_SPANS_LINE = wire.SPANS_LINE_PREFIX.encode("ascii")

def _spawn(python: str, argv: "List[str]", env: "Dict[str, str]") -> int:
    # No session or process group of its own: the program stays where `python script.py`
    # would be (the shell's job, able to call os.setsid()); a hang finds its tree (tree.py).
    sigdef = [s for s in (getattr(signal, "SIGPIPE", None), getattr(signal, "SIGXFSZ", None)) if s]
    spawn = os.posix_spawnp if os.sep not in python else os.posix_spawn
    if hasattr(signal, "pthread_sigmask"):
        from .forward import signals
        # Held for _wait to pass on from now (the program starts with none blocked).
        signal.pthread_sigmask(signal.SIG_BLOCK, signals())
    return spawn(python, argv, env, setsigmask=(), setsigdef=sigdef)


def _wait(pid: int, watch: "HangWatch") -> "Tuple[int, Optional[Dict[str, Any]]]":
    """Wait for the child, passing signals on to it (forward.py); returns (raw wait status,
    hang event or None)."""
    from . import forward
    watched = [signal.SIGCHLD] + forward.signals()
    use_sigwait = hasattr(signal, "sigtimedwait") and hasattr(signal, "pthread_sigmask")
    if use_sigwait:
        signal.pthread_sigmask(signal.SIG_BLOCK, watched)
    else:
        forward.install_handlers(pid)
    try:
        while True:
            got, status = os.waitpid(pid, os.WNOHANG)
            if got == pid:
                return status, None
            if watch.check():
                _, status = os.waitpid(pid, 0)
                return status, watch.hang
            timeout = watch.interval()
            if use_sigwait:
                info = signal.sigtimedwait(watched, timeout)
                if info is not None and info.si_signo != signal.SIGCHLD:
                    forward.deliver(pid, info.si_signo, info.si_code)
            else:
                time.sleep(min(timeout, 0.01))
    finally:
        # The program has ended: a signal arriving while its report is written must not end
        # us before the channel is removed (the program's own death is re-raised later).
        forward.ignore()
        if use_sigwait:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, watched)


def _python_version(python: str) -> str:
    if os.path.realpath(python) == os.path.realpath(sys.executable):
        return "%d.%d.%d" % sys.version_info[:3]
    import subprocess
    try:
        out = subprocess.run([python, "-c", "import platform;print(platform.python_version())"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=30,
                             env=dict(os.environ, PYTHONPATH=""))
        return out.stdout.decode().strip() or "unknown"
    except Exception:
        from ..channel import swallowed
        swallowed()
        return "unknown"


def _remove_tree(path: str) -> None:
    from .privatedir import remove
    remove(path)


def main(argv: "List[str]") -> int:
    try:
        opts = parse_args(argv)
        if opts["channel"]:
            check_private_dir(opts["channel"])
    except UsageError as exc:
        sys.stderr.write(("workerscope: %s\n" % exc if str(exc) else "") + USAGE)
        return 2
    except OSError as exc:
        sys.stderr.write("workerscope: --channel: %s\n" % exc)
        return 2

    created = opts["channel"] is None or opts["remove_channel"]
    python = opts["python"] or sys.executable
    if opts["channel"] is None:
        from . import privatedir
        made, why = privatedir.make()
        if made is None:
            return privatedir.run_untraced(python, opts["program"], opts["args"], why)
        directory = made
    else:
        directory = os.path.abspath(opts["channel"])

    if opts["watch"] is not None:  # the editor started the program and tells us how it ended
        return _watch(opts, directory, created, python, opts["watch"])
    if opts["adopt"] is not None:  # second stage of an in-place run: the program is running
        ensure_bytecode(python)  # for the processes it spawns later, off its critical path
        _prepare_report(opts)
        from ..channel import Channel
        return _supervise(opts, directory, created, python, opts["adopt"], Channel(directory),
                          Tail(directory))
    from . import inplace
    in_place = inplace.can_run_in_place(opts["program"], python)
    if not in_place:
        ensure_bytecode(python)
    env = dict(os.environ)
    # The bootstrap finds the tracer package itself and leaves sys.path as the program would
    # have had it, so the directory this supervisor was run from is not passed on.
    inherited = [p for p in env.get("PYTHONPATH", "").split(os.pathsep)
                 if p and os.path.abspath(p) != PYTHON_DIR]
    env["PYTHONPATH"] = os.pathsep.join([BOOTSTRAP_DIR] + inherited)
    env["WORKERSCOPE_CHANNEL"] = directory
    if opts["detect_races"]:
        env["WORKERSCOPE_DETECT_RACES"] = "1"
    child_argv = [python, opts["program"]] + list(opts["args"])

    from ..channel import Channel
    if in_place:
        changes = {key: env.get(key) for key in set(env) | set(os.environ)
                   if env.get(key) != os.environ.get(key)}
        pid = inplace.fork_program(opts["program"], opts["args"], changes, directory)
        _exec_second_stage(opts, directory, created, pid)  # returns only if exec failed
        ensure_bytecode(python)
        return _supervise(opts, directory, created, python, pid, Channel(directory),
                          Tail(directory))
    own = Channel(directory)
    tail = Tail(directory)
    try:
        pid = _spawn(python, child_argv, env)
    except OSError as exc:
        sys.stderr.write("workerscope: cannot run %s: %s\n" % (python, exc))
        if created:
            _remove_tree(directory)
        return 127
    return _supervise(opts, directory, created, python, pid, own, tail)


def _exec_second_stage(opts: "Dict[str, Any]", directory: str, created: bool, pid: int) -> None:
    """Replace this interpreter by a ``-S`` one that adopts the forked program.

    The program was forked from this process: while both share their pages, each page the
    program writes is copied first (thousands of faults over its life, its exit included).
    An exec gives them all back, and the small supervisor starts on the other core while
    the program runs."""
    argv = [sys.executable, "-S", LAUNCHER, "--adopt", str(pid), "--channel", directory,
            "--hang-timeout", repr(opts["hang_timeout"])]
    if opts["stall_timeout"] is not None:
        argv += ["--stall-timeout", repr(opts["stall_timeout"])]
    if created:
        argv.append("--remove-channel")
    for flag, key in (("--report", "report"), ("--python", "python")):
        if opts[key]:
            argv += [flag, opts[key] if key == "python" else os.path.abspath(opts[key])]
    for flag, key in (("--detect-races", "detect_races"), ("--events", "events"),
                      ("--stall-keep-running", "stall_keep_running")):
        if opts[key]:
            argv.append(flag)
    if not opts["summary"]:
        argv.append("--no-summary")
    argv += ["--", opts["program"]] + list(opts["args"])
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, argv)
    except OSError:
        pass  # supervise from this interpreter instead


def _supervise(opts: "Dict[str, Any]", directory: str, created: bool, python: str, pid: int,
               own: "Any", tail: "Tail") -> int:
    watch = HangWatch(pid, tail, opts["hang_timeout"], own, opts["stall_timeout"])
    watch.end_on_stall = not opts["stall_keep_running"]
    status, hang = _wait(pid, watch)

    term_signal = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    program_code = -term_signal if term_signal else os.WEXITSTATUS(status)
    if not hang:
        _main_ended(watch, program_code)
    _conclude(opts, directory, created, python, pid, program_code, hang)
    if hang:
        return HANG_EXIT_CODE
    if term_signal:
        sys.stdout.flush()
        try:
            signal.signal(term_signal, signal.SIG_DFL)
        except (OSError, ValueError, RuntimeError):
            pass
        os.kill(os.getpid(), term_signal)
        return 128 + term_signal
    return program_code


def _watch(opts: "Dict[str, Any]", directory: str, created: bool, python: str, pid: int) -> int:
    """Supervise a program this process did not start (the editor's runtime spawned it).

    The runtime writes ``exit N`` or ``signal N`` on our stdin once the program has ended; end
    of input without a status means the runtime went away, and the program is left alone.
    Meanwhile the channel is watched for a lost pool worker, as in a run we started ourselves.
    The editor's runtime asks for no report (it builds its own from the channel): told the
    status, we leave at once, any hang we declared already written.
    """
    # Signals to the runtime's process group (Ctrl-C, a terminal closing, `kill -TERM -pgid`)
    # are the runtime's to pass on to the program; we leave when our input ends.
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        try:
            signal.signal(getattr(signal, name), signal.SIG_IGN)
        except (AttributeError, OSError, ValueError):
            pass
    ensure_bytecode(python)  # for the program's next processes: it started without us
    _prepare_report(opts)
    from ..channel import Channel
    watch = HangWatch(pid, Tail(directory), opts["hang_timeout"], Channel(directory),
                      opts["stall_timeout"])
    # The editor's debug session stops on a stalled worker and lets the program live.
    watch.end_on_stall = not opts["stall_keep_running"]
    ended = _await_end(watch)
    if ended is None:
        return 0
    program_code, hang = ended
    if not hang:
        _main_ended(watch, program_code)
    _conclude(opts, directory, created, python, pid, program_code, hang)
    return HANG_EXIT_CODE if hang else (program_code if program_code >= 0 else 128 - program_code)


def _main_ended(watch: "HangWatch", program_code: int) -> None:
    """The main process has ended (no hang was declared): killed by a signal, the tasks in
    flight are named first; then the program's processes that outlive it are ended, so the
    summary comes after the last of them."""
    from .inflight import end_leftovers, signal_name
    try:
        for e in watch.tail.poll():  # the records the program wrote last (starts, submits)
            watch.inflight.note(e)
        if program_code < 0:
            watch.inflight.write("ended", signal_name(-program_code))
        end_leftovers(watch.inflight)
    except Exception as exc:  # the program's status comes first
        sys.stderr.write("workerscope: could not end the program's other processes: %s\n"
                         % exc)


def _prepare_report(opts: "Dict[str, Any]") -> None:
    """Load and warm what the report needs now, while the program runs, not after it ends."""
    if opts["report"] or opts["summary"] or opts["events"]:
        from . import report  # noqa: F401
        wire.dumps_pretty(wire.decode_lines(b'{"v": 1}\n'))


def _await_end(watch: "HangWatch") -> "Optional[Tuple[int, Optional[Dict[str, Any]]]]":
    """(program exit code, or -signal; hang event or None) as told on stdin, or None at EOF.
    A line ``snapshot`` (the editor's Stop, before it ends the program) names the tasks in
    flight at once, and the watch goes on."""
    import select
    fd = sys.stdin.fileno()
    received = b""
    while True:
        try:
            readable = select.select([fd], [], [], watch.interval())[0]
        except InterruptedError:
            readable = []
        if readable:
            chunk = os.read(fd, 256)
            received += chunk
            while b"\n" in received or (not chunk and received.strip()):
                line, _, received = received.partition(b"\n")
                words = line.split()
                if words == [b"snapshot"]:
                    watch.check()  # the records written since the last look (submits)
                    watch.inflight.write("ended")
                    continue
                if len(words) == 2 and words[0] in (b"exit", b"signal") and words[1].isdigit():
                    code = int(words[1])
                    return (code if words[0] == b"exit" else -code), watch.hang
                return None
            if not chunk:
                return None
        watch.check()  # after a hang, the runtime still tells us how the program ended


def _conclude(opts: "Dict[str, Any]", directory: str, created: bool, python: str, pid: int,
              program_code: int, hang: "Optional[Dict[str, Any]]") -> None:
    exit_code = HANG_EXIT_CODE if hang else program_code

    try:
        # The program's parent: this process, or in a watched run the editor's runtime.
        parent = os.getppid() if opts["watch"] is not None else os.getpid()
        _finish(opts, directory, pid, parent, python, exit_code, program_code)
    except Exception as exc:  # never hide the program's status because of the report
        sys.stderr.write("workerscope: could not build the report: %s\n" % exc)
    if created:
        _remove_tree(directory)


def exit_now(code: int) -> None:
    """The supervisor's own exit: nothing of ours needs finalising, and the interpreter's
    teardown would only delay the moment the caller sees the program's status."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code & 0xFF if code >= 0 else 1)


def _finish(opts: "Dict[str, Any]", directory: str, pid: int, parent: int, python: str,
            exit_code: int, program_code: int) -> None:
    if not (opts["report"] or opts["summary"] or opts["events"]):
        return
    from .report import build_report, load_events, public, summary
    events = load_events(directory)
    report = build_report(events, program=os.path.abspath(opts["program"]), argv=opts["args"],
                          python=_python_version(python), exit_code=exit_code, root_pid=pid,
                          root_ppid=parent, root_exit=program_code)
    if opts["report"]:
        path = os.path.abspath(opts["report"])
        tmp = path + ".tmp%d" % os.getpid()
        # Private from its creation: the report holds the program's locals and arguments.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(wire.dumps_pretty(public(report)) + "\n")
        os.replace(tmp, path)
    if opts["events"]:
        for e in events:
            sys.stderr.write(wire.encode(e).decode("ascii"))
    if opts["summary"] and (report["failures"] or report["races"] or opts["report"]
                            or report["inFlight"]
                            or any(p["outlived"] for p in report["processes"])):
        sys.stderr.write(summary(report, opts["report"]))
