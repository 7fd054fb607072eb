"""Hooks on ``multiprocessing.process.BaseProcess``: child roles, start method, exits.

In the parent: tag each Process with its role before ``start()``, report the start method
and every child exit it observes (``exitcode``/``join``), noticing pool workers that died
mid-task.  In the child: ``_bootstrap`` reports process start/exit, opens the task slot and
faulthandler file of pool/executor workers, and catches an uncaught ``Process`` target
exception at the moment CPython prints it (so the printed traceback is untouched).
"""

import os
import signal
import sys
import threading
import time

from . import channel, runtime, wire
from .runtime import state

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any, Callable, Dict, List, Optional

_exit_hooks: "List[Callable[[], None]]" = []
_exit_hooks_ran_in: "List[int]" = []
_fault_fd: "Optional[int]" = None  # faulthandler output of this worker
_FAULT_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
_bootstrap_code: "Any" = None
_worker_lost_hooks: "Dict[str, Callable[[Any, int, Dict[str, int]], None]]" = {}
# In a child, by role: given an exception that escaped its target first (True: reported).
_child_failure_hooks: "Dict[str, Callable[[Any, BaseException], bool]]" = {}
# Per role, in the child before its target runs: a pool or executor worker's queues are
# wrapped in its own arguments (no wrapper frame around the target).
_child_run_hooks: "Dict[str, Callable[[Any], None]]" = {}
_target_running: "List[Any]" = []  # in a child: its Process while _bootstrap runs the target
_batch = threading.local()  # .started: processes announced once a pool has filled up


def add_exit_hook(hook: "Callable[[], None]") -> None:
    if hook not in _exit_hooks:
        _exit_hooks.append(hook)


def starting_together(func: "Callable[..., Any]") -> "Callable[..., Any]":
    """Wraps a function that starts several workers in a row (a pool filling up): the
    records of their start are made and written in one go once the last has been forked.
    After a fork every page the parent writes to is copied first, so tracer work done
    between the forks would be paid for once per worker."""
    def starting(*args: "Any", **kwargs: "Any") -> "Any":
        if getattr(_batch, "started", None) is not None:
            return func(*args, **kwargs)
        _batch.started = []
        try:
            return func(*args, **kwargs)
        finally:
            started, _batch.started = _batch.started, None
            if started:
                _announce(started)

    return runtime.rename_like(starting, func)


def _announce(started: "List[Any]") -> None:
    """Parent side, once processes have been started: the start method (first time), and the
    start of each worker forked with a shared slot (which leaves its announcement to us)."""
    try:
        lines = []
        if not state.start_method_reported:
            state.start_method_reported = True
            lines.append(channel.encode_record(
                wire.START_METHOD, {"method": _start_method_of(started[0])}, os.getpid()))
        for proc in started:
            if proc.pid and proc.__dict__.get("_workerscope_shared_slot") is not None:
                lines.append(channel.encode_record(wire.PROCESS_START, {
                    "ppid": os.getpid(), "owner": os.getpid(),
                    "role": proc._workerscope_role, "name": proc.name}, proc.pid,
                    proc.__dict__.get("_workerscope_forked_at")))
        if lines and not state.helper:
            channel.write(b"".join(lines))
    except Exception:
        runtime.swallowed()


def run_exit_hooks() -> None:
    """Once per process: flush swallowed results, race counts (atexit or end of _bootstrap)."""
    pid = os.getpid()
    if pid in _exit_hooks_ran_in:
        return
    _exit_hooks_ran_in.append(pid)
    for hook in list(_exit_hooks):
        try:
            hook()
        except Exception:
            runtime.swallowed()


def role_for_target(target: "Any") -> str:
    pool = sys.modules.get("multiprocessing.pool")
    if pool is not None and target is getattr(pool, "worker", None):
        return wire.ROLE_POOL_WORKER
    cfp = sys.modules.get("concurrent.futures.process")
    if cfp is not None and target is getattr(cfp, "_process_worker", None):
        return wire.ROLE_EXECUTOR_WORKER
    return wire.ROLE_PROCESS


def signal_name(code: "Optional[int]") -> "Optional[str]":
    if code is None or code >= 0:
        return None
    try:
        return signal.Signals(-code).name
    except ValueError:
        return "SIG%d" % -code


def _start_method_of(proc: "Any") -> "Optional[str]":
    module = type(getattr(proc, "_popen", None)).__module__ or ""
    for suffix, name in (("popen_forkserver", "forkserver"), ("popen_spawn", "spawn"),
                         ("popen_fork", "fork")):
        if suffix in module:
            return name
    return getattr(proc, "_start_method", None)


def is_exiting(proc: "Any") -> bool:
    """Sentinel closed: the process is dead or dying even if waitpid cannot reap it yet."""
    try:
        from multiprocessing.connection import wait
        return bool(wait([proc.sentinel], 0))
    except Exception:
        runtime.swallowed()
        return False


def exit_code_soon(proc: "Any", timeout: float = 2.0) -> "Optional[int]":
    """Exit code of a process whose sentinel is closed (the kernel may not have reaped it)."""
    code = proc.exitcode
    if code is None and is_exiting(proc):
        try:
            proc._popen.wait(timeout)
        except Exception:
            runtime.swallowed()
        code = proc.exitcode
    return code


def observe_exit(proc: "Any", code: "Optional[int]") -> None:
    """First time the parent sees a child's exit status: child-exit (+ worker-lost)."""
    if code is None or getattr(proc, "_workerscope_exit_seen", False):
        return
    try:
        proc._workerscope_exit_seen = True
        role, pid = getattr(proc, "_workerscope_role", wire.ROLE_PROCESS), proc.pid
        # A task runner's (hooks_dask) cause of death is a failure though the runner ended it.
        key, task, cause = runtime.lost_task(pid) if role == wire.ROLE_PROCESS else (None,) * 3
        terminated = not cause and (bool(getattr(proc, "_workerscope_terminated", False))
                                    or _ended_at_exit(proc, code))
        runtime.emit(wire.CHILD_EXIT, child=pid, name=proc.name, role=role, exitCode=code,
                     terminated=terminated)
        if role == wire.ROLE_POOL_WORKER and not terminated:
            slot = runtime.read_slot(pid, proc)
            hook = _worker_lost_hooks.get(role)
            if slot is not None and (slot["busy"] or slot["locked"]) and hook is not None:
                hook(proc, code, slot)
        elif role == wire.ROLE_PROCESS and not terminated and code < 0:
            # Killed by a signal (an OOM kill, a crash in native code): no traceback anywhere.
            runtime.emit(wire.WORKER_LOST, child=pid, worker=proc.name, role=role, exitCode=code,
                         signal=signal_name(code), key=key, chunk=None, pos=None,
                         task=task or getattr(proc, "_workerscope_task", None),
                         frames=fault_frames(pid), **({"cause": cause} if cause else {}))
    except Exception:
        runtime.swallowed()


def _ended_at_exit(proc: "Any", code: int) -> bool:
    """A daemon child that multiprocessing's exit handler terminated (it calls the Popen's
    ``terminate()`` directly, past the wrapped ``Process.terminate``)."""
    util = sys.modules.get("multiprocessing.util")
    return (code == -signal.SIGTERM and bool(getattr(proc, "daemon", False))
            and bool(getattr(util, "_exiting", False)))


def fault_frames(pid: int) -> "List[Dict[str, Any]]":
    ch = channel.get()
    if ch is None:
        return []
    try:
        from .frames import parse_faulthandler
        with open(ch.path_for(pid, wire.FAULT_SUFFIX), "r", errors="replace") as f:
            return parse_faulthandler(f.read())
    except OSError:
        return []


def _enable_faulthandler() -> None:
    global _fault_fd
    ch = channel.get()
    if ch is None:
        return
    try:
        import faulthandler
        if faulthandler.is_enabled() and _fault_fd is None:
            return  # the user's own faulthandler: leave their output alone
        # A bare descriptor: a text file object would cost an io stack per worker.
        _fault_fd = os.open(ch.path_for(os.getpid(), wire.FAULT_SUFFIX), _FAULT_FILE_FLAGS, 0o600)
        faulthandler.enable(file=_fault_fd, all_threads=False)
    except Exception:
        _fault_fd = None
        runtime.swallowed()


def _enable_dumps() -> None:
    """Fatal signals and live-stack requests: both write to files in the channel."""
    _enable_faulthandler()
    try:
        from . import livestack
        livestack.register(channel.get())
    except Exception:
        runtime.swallowed()


def _name_slot(proc: "Any") -> None:
    """The slot file made before a fork takes the child's pid as its name (a failed start
    leaves nothing behind)."""
    new = proc.__dict__.pop("_workerscope_slot_new", None)
    try:
        if proc.pid:
            os.rename(new, channel.get().path_for(proc.pid, wire.SLOT_SUFFIX))
        else:
            os.unlink(new)
    except Exception:
        runtime.swallowed()


def _child_started(proc: "Any") -> None:
    if state.helper or channel.get() is None:
        return
    role = getattr(proc, "_workerscope_role", wire.ROLE_PROCESS)
    state.role = role
    shared = proc.__dict__.get("_workerscope_shared_slot")
    if shared is not None:  # forked by a traced parent, which announced us
        state.slot = shared
        _enable_dumps()  # print_exc was patched by the parent before the fork
    else:
        if role in (wire.ROLE_POOL_WORKER, wire.ROLE_EXECUTOR_WORKER):
            runtime.open_slot()
            _enable_dumps()
        elif role == wire.ROLE_PROCESS:
            _enable_dumps()  # the Python frames of a crash in native code
            _watch_os_exit(proc)
        _patch_print_exc()
        state.started_reported = True
        runtime.emit(wire.PROCESS_START, ppid=os.getppid(),
                     owner=getattr(proc, "_parent_pid", None), role=role, name=proc.name)
    hook = _child_run_hooks.get(role)
    if hook is not None:
        hook(proc)


def _watch_os_exit(proc: "Any") -> None:
    """A target that leaves by ``os._exit(n)`` with n != 0 is reported as an ``exited``
    failure, with its live frames: the parent only sees an exit code, as for ``sys.exit(n)``,
    and nothing is printed."""
    original = os._exit

    def _exit(status: "Any") -> None:
        if _target_running and status != 0:
            try:
                from .frames import frames_from_stack, process_task
                key, task = runtime.exiting_task()  # a task runner's (hooks_dask), if any
                runtime.emit(wire.WORKER_LOST, child=os.getpid(), worker=proc.name,
                             role=wire.ROLE_PROCESS, exitCode=status, signal=None, key=key,
                             chunk=None, pos=None,
                             task=task or getattr(proc, "_workerscope_task", None)
                             or process_task(proc),
                             frames=frames_from_stack(sys._getframe(1)))
            except Exception:
                runtime.swallowed()
        original(status)

    os._exit = runtime.rename_like(_exit, original)
    if hasattr(os, "register_at_fork"):  # a raw os.fork() in the target runs no target
        os.register_at_fork(after_in_child=_target_running.clear)


def _patch_print_exc() -> None:
    import traceback
    original = traceback.print_exc
    if getattr(original, "_workerscope", False):
        return

    def print_exc(*args: "Any", **kwargs: "Any") -> "Any":
        try:
            caller = sys._getframe(1)
            if caller.f_code is _bootstrap_code:
                exc = sys.exc_info()[1]
                if exc is not None:
                    from .frames import hide_tracer_frames
                    hide_tracer_frames(exc)
                from .frames import process_task
                proc = caller.f_locals.get("self")
                hook = _child_failure_hooks.get(state.role)
                if exc is not None and not isinstance(exc, (SystemExit, KeyboardInterrupt)) \
                        and not (hook is not None and hook(proc, exc)):
                    task = process_task(proc)
                    runtime.report_failure(wire.PROCESS_EXCEPTION, exc, exc.__traceback__,
                                           task=task)
        except Exception:
            runtime.swallowed()
        return original(*args, **kwargs)

    print_exc._workerscope = True  # type: ignore[attr-defined]
    traceback.print_exc = print_exc


# Long: each wrapper is a closure over the BaseProcess method it replaces, and all originals are
# captured before the first is replaced; one patcher keeps every wrapper beside its original.
def patch(module: "Any") -> None:
    """Patch multiprocessing.process (called right after it is imported)."""
    global _bootstrap_code
    base = module.BaseProcess
    if not runtime.claim(base):
        return
    orig_start = base.start
    orig_bootstrap = base._bootstrap
    orig_join = base.join
    orig_terminate = base.terminate
    orig_kill = getattr(base, "kill", None)
    exitcode_prop = base.exitcode
    _bootstrap_code = orig_bootstrap.__code__

    def start(self: "Any") -> None:
        shared = None
        self._workerscope_exit_seen = False
        try:
            self._workerscope_role = role_for_target(getattr(self, "_target", None))
            if self._workerscope_role == wire.ROLE_PROCESS:
                # start() drops the target once the child runs: what a death is blamed on
                # is taken now.
                from .frames import call_site, process_task
                self._workerscope_site = call_site()
                self._workerscope_task = process_task(self)
            if self._workerscope_role == wire.ROLE_EXECUTOR_WORKER:
                self._workerscope_key = "%d:exec%d" % (os.getpid(), id(self._args[0]))
            ch = channel.get()
            if (self._workerscope_role != wire.ROLE_PROCESS and ch is not None
                    and getattr(self, "_start_method", None) == "fork"):
                # After a fork every page the parent writes to is copied first: what the
                # tracer does for a forked worker is done before the fork where it can be,
                # and loading or patching once here costs a fraction of what each forked
                # worker would pay (faulthandler is enabled in the worker).
                import faulthandler  # noqa: F401
                from . import livestack  # noqa: F401
                _patch_print_exc()
                made = runtime.shared_slot()
                if made is not None:
                    shared, self._workerscope_slot_new = made
                    ch.open_now()
                    self._workerscope_forked_at = time.time()  # its start, announced later
                    # Last: a worker that adopts the slot leaves its announcement to us.
                    self._workerscope_shared_slot = shared
        except Exception:
            shared = None
            runtime.swallowed()
        try:
            orig_start(self)
        finally:
            if shared is not None:
                _name_slot(self)
        if state.start_method_reported and shared is None:
            return
        started = getattr(_batch, "started", None)
        if started is not None:  # a pool filling up: announced once it is full
            started.append(self)
        else:
            _announce([self])

    def _bootstrap(self: "Any", *args: "Any", **kwargs: "Any") -> int:
        try:
            _child_started(self)
        except Exception:
            runtime.swallowed()
        _target_running[:] = [self]
        begin = time.monotonic_ns() // 1000 if state.timeline else 0  # its target's run
        code = orig_bootstrap(self, *args, **kwargs)
        del _target_running[:]
        try:
            if begin:
                sys.modules[__package__ + ".timeline_hooks"].process_ran(self, begin, code)
            run_exit_hooks()
            runtime.emit(wire.PROCESS_EXIT, exitCode=code)
        except Exception:
            runtime.swallowed()
        return code

    def exitcode(self: "Any") -> "Optional[int]":
        code = exitcode_prop.fget(self)
        if code is not None and not self._workerscope_exit_seen:
            observe_exit(self, code)
        return code

    if exitcode_prop.fget.__code__.co_names == ("_check_closed", "_popen", "poll"):
        # CPython 3.8-3.13's own body, inlined: a pool's worker-handler thread reads every
        # worker's exitcode each time a result arrives, and one call less is most of the
        # tracer's cost in the parent of a map sent task by task.
        def exitcode(self: "Any") -> "Optional[int]":  # noqa: F811
            self._check_closed()
            popen = self._popen
            if popen is None:
                return popen
            code = popen.poll()
            if code is not None and not self._workerscope_exit_seen:
                observe_exit(self, code)
            return code

    def join(self: "Any", timeout: "Optional[float]" = None) -> None:
        if self.__dict__.get("_workerscope_role") == wire.ROLE_PROCESS:
            from .hooks_queues import note_join  # one half of a queue deadlock
            note_join(self, timeout)
        orig_join(self, timeout)
        try:
            popen = self._popen
            if popen is not None and popen.returncode is not None:
                observe_exit(self, popen.returncode)
        except Exception:
            runtime.swallowed()

    orig_is_alive = base.is_alive

    def is_alive(self: "Any") -> bool:
        alive = orig_is_alive(self)
        if not alive and not getattr(self, "_workerscope_exit_seen", True):
            popen = getattr(self, "_popen", None)
            if popen is not None and popen.returncode is not None:
                observe_exit(self, popen.returncode)
        return alive

    base.is_alive = is_alive

    def _mark_terminated(self: "Any") -> None:
        try:
            if self._popen is not None and self._popen.poll() is None and not is_exiting(self):
                self._workerscope_terminated = True
        except Exception:
            runtime.swallowed()

    def terminate(self: "Any") -> None:
        _mark_terminated(self)
        orig_terminate(self)

    start.__wrapped__ = orig_start  # type: ignore[attr-defined]
    base.start = start
    base._bootstrap = _bootstrap
    base.exitcode = property(exitcode, doc=exitcode_prop.__doc__)
    base.join = join
    base.terminate = terminate
    if orig_kill is not None:
        def kill(self: "Any") -> None:
            _mark_terminated(self)
            orig_kill(self)
        base.kill = kill
    _observe_cleanup(module)
    # Only the parent's own children get an "exit seen" flag of False (in start()), so
    # exitcode on unrelated objects (e.g. current_process()) costs one getattr.
    base._workerscope_exit_seen = True


def _observe_cleanup(module: "Any") -> None:
    """``multiprocessing`` reaps finished children itself whenever a process starts or
    ``active_children()`` is called: their exits are observed there too (a Manager's server
    killed while a pool replaces its workers was otherwise never seen to end)."""
    orig_cleanup = getattr(module, "_cleanup", None)
    children = getattr(module, "_children", None)
    if orig_cleanup is None or children is None:
        return

    def _cleanup() -> None:
        before = list(children)
        orig_cleanup()
        if len(before) != len(children):
            for proc in before:
                if proc not in children:
                    popen = getattr(proc, "_popen", None)
                    if popen is not None and popen.returncode is not None:
                        observe_exit(proc, popen.returncode)

    module._cleanup = runtime.rename_like(_cleanup, orig_cleanup)
