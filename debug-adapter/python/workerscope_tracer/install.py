"""Installs the tracer in a process: channel, fork handling and lazy module patching.

A meta-path finder patches multiprocessing, concurrent.futures and threading right after
they are first imported (nothing is imported eagerly), so a program that never uses them
pays only for one set lookup per import.
"""

import os
import sys

from . import channel, runtime

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any, Callable, Dict, Optional, Set

_installed = False


_TARGETS = {
    "threading": "hooks_threading:patch",
    "multiprocessing.process": "hooks_process:patch",
    "multiprocessing.pool": "hooks_pool:patch",
    "multiprocessing.queues": "hooks_queues:patch",
    "concurrent.futures._base": "hooks_futures:patch_base",
    "concurrent.futures.process": "hooks_futures:patch_process",
    "concurrent.futures.thread": "hooks_futures:patch_thread",
    "distributed.client": "hooks_dask:patch_client",
    "distributed.worker": "hooks_dask:patch_worker",
    "distributed.scheduler": "hooks_dask:patch_scheduler",
    "distributed.worker_memory": "hooks_dask:patch_worker_memory",
}
_RACE_TARGETS = {
    "multiprocessing.sharedctypes": "races:patch_sharedctypes",
    "multiprocessing.synchronize": "races:patch_synchronize",
    "multiprocessing.managers": "races:patch_managers",
}


def _lazy(target: str) -> "Callable[[Any], None]":
    """The hook module is imported only when the module it patches is imported."""
    module_name, func_name = target.split(":")

    def patcher(module: "Any") -> None:
        # __import__, not importlib: the importlib package is not loaded in a plain run.
        hooks = __import__(__package__ + "." + module_name, fromlist=[func_name])
        getattr(hooks, func_name)(module)
    return patcher


# With the timeline on, patched after the module's own hooks (timeline_hooks and timeline_pools
# build on them).
_TIMELINE_TARGETS = {
    "threading": "timeline_hooks:patch_threading",
    "multiprocessing.process": "timeline_hooks:patch_process",
    "multiprocessing.pool": "timeline_pools:patch_pool",
    "concurrent.futures._base": "timeline_hooks:patch_future",
    "concurrent.futures.process": "timeline_pools:patch_executor",
    "concurrent.futures.thread": "timeline_pools:patch_thread_executor",
}


def _then(first: "Callable[[Any], None]", then: "Callable[[Any], None]"
          ) -> "Callable[[Any], None]":
    def patcher(module: "Any") -> None:
        first(module)
        then(module)
    return patcher


def _patchers() -> "Dict[str, Callable[[Any], None]]":
    table: "Dict[str, Callable[[Any], None]]" = {name: _lazy(t) for name, t in _TARGETS.items()}
    table["multiprocessing.resource_tracker"] = _patch_helper_main
    table["multiprocessing.forkserver"] = _patch_helper_main
    if runtime.state.detect_races:
        table.update({name: _lazy(t) for name, t in _RACE_TARGETS.items()})
    if runtime.state.timeline:
        for name, target in _TIMELINE_TARGETS.items():
            table[name] = _then(table[name], _lazy(target))
    return table


def _patch_helper_main(module: "Any") -> None:
    """Resource tracker and forkserver server processes stay silent (their forks do not)."""
    original = getattr(module, "main", None)
    if original is None or getattr(original, "_workerscope", False):
        return

    def main(*args: "Any", **kwargs: "Any") -> "Any":
        runtime.state.helper = True
        return original(*args, **kwargs)

    main._workerscope = True  # type: ignore[attr-defined]
    main.__module__, main.__name__, main.__qualname__ = original.__module__, "main", "main"
    module.main = main


class _PatchingLoader:
    def __init__(self, loader: "Any", patcher: "Callable[[Any], None]") -> None:
        self._loader = loader
        self._patcher = patcher

    def __getattr__(self, name: str) -> "Any":
        return getattr(self._loader, name)

    def create_module(self, spec: "Any") -> "Any":
        create = getattr(self._loader, "create_module", None)
        return create(spec) if create is not None else None

    def exec_module(self, module: "Any") -> None:
        self._loader.exec_module(module)
        try:
            self._patcher(module)
        except Exception:
            runtime.swallowed()


class _Finder:
    def __init__(self, patchers: "Dict[str, Callable[[Any], None]]") -> None:
        self._patchers = patchers
        self._busy: "Set[str]" = set()

    def find_spec(self, name: str, path: "Any" = None, target: "Any" = None) -> "Any":
        patcher = self._patchers.get(name)
        if patcher is None or name in self._busy:
            return None
        self._busy.add(name)
        try:
            for finder in sys.meta_path:
                if finder is self:
                    continue
                find = getattr(finder, "find_spec", None)
                if find is None:
                    continue
                spec = find(name, path, target)
                if spec is not None:
                    break
            else:
                return None
            if spec.loader is None or not hasattr(spec.loader, "exec_module"):
                return spec
            spec.loader = _PatchingLoader(spec.loader, patcher)
            return spec
        finally:
            self._busy.discard(name)

    def invalidate_caches(self) -> None:
        pass


def install(directory: "Optional[str]", env: "Optional[Dict[str, str]]" = None) -> bool:
    """Set up tracing for this process; safe to call more than once."""
    global _installed
    if _installed or not directory:
        return False
    _installed = True
    env = dict(os.environ) if env is None else env
    runtime.configure_from_env(env)
    channel.configure(directory)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=runtime.reset_after_fork)
        # A bare os.fork() makes a traced process of its own (forks.py, loaded on first use).
        os.register_at_fork(after_in_child=_after_fork_in_child,
                            after_in_parent=_after_fork_in_parent)
    patchers = _patchers()
    if env.get("WORKERSCOPE_BREAKPOINTS") == "1":  # a debug session: nothing imported otherwise
        _install_breakpoints(patchers)
    sys.meta_path.insert(0, _Finder(patchers))
    for name, patcher in patchers.items():
        module = sys.modules.get(name)
        if module is not None:
            try:
                patcher(module)
            except Exception:
                runtime.swallowed()
    wrap_excepthook()
    if env.get("WORKERSCOPE_LAUNCHER") == str(os.getppid()):
        _announce_root()
    import atexit
    atexit.register(_run_exit_hooks)
    return True


def _install_breakpoints(patchers: "Dict[str, Callable[[Any], None]]") -> None:
    """Breakpoints from the start; before 3.12 they trace threads through ``threading.settrace``,
    set once ``threading`` is imported, after the hooks of its own patcher."""
    try:
        from . import breakpoints
        breakpoints.install()
    except Exception:
        runtime.swallowed()
        return
    if sys.version_info >= (3, 12):
        return
    patch_threading = patchers["threading"]

    def patcher(module: "Any") -> None:
        try:
            patch_threading(module)
        finally:
            breakpoints.threading_imported(module)
    patchers["threading"] = patcher


# Callers whose forks have a path of their own: pool and executor workers, Process children.
_FORKING_PACKAGES = ("multiprocessing.", "concurrent.")


def _bare_fork_caller() -> "Any":
    """The frame that called os.fork, when it is not multiprocessing's nor an executor's (a
    fork hook is called from C: the frame above it made the fork); else None."""
    try:
        caller = sys._getframe(2)
    except ValueError:
        return None
    name = caller.f_globals.get("__name__") or ""
    if name.startswith(_FORKING_PACKAGES) or name == "subprocess":  # preexec_fn: it execs
        return None
    return caller


def _after_fork_in_parent() -> None:
    if _bare_fork_caller() is not None:
        try:
            from . import forks
            forks.parent_forked()
        except Exception:
            runtime.swallowed()


def _after_fork_in_child() -> None:
    caller = _bare_fork_caller()
    if caller is not None:
        try:
            from . import forks
            forks.child_started(caller)
        except Exception:
            runtime.swallowed()


def wrap_excepthook() -> None:
    """The program's uncaught exception is printed without the tracer's wrapper frames (a
    call into a patched pool or executor that raises, such as ``map`` on a closed pool)."""
    previous = sys.excepthook

    def excepthook(exc_type: "Any", exc: "Any", tb: "Any") -> "Any":
        # Nothing is imported here: running a module's code now would make CPython forget
        # that an uncaught KeyboardInterrupt must end the program by SIGINT. Without the
        # frames module loaded, no wrapper of ours has run anyway.
        try:
            frames = sys.modules.get(__package__ + ".frames")
            if frames is not None:
                frames.hide_tracer_frames(exc)
            forks = sys.modules.get(__package__ + ".forks")
            if forks is not None:  # a bare fork's child: its uncaught exception is a failure
                forks.uncaught(exc, tb)
            if sys.modules.get(__package__ + ".breakpoints") is not None and not issubclass(
                    exc_type, KeyboardInterrupt):  # a debug session: the uncaught filter
                from . import excfilters
                excfilters.uncaught(exc, tb)
        except Exception:
            runtime.swallowed()
        return previous(exc_type, exc, tb)

    excepthook._workerscope = True  # type: ignore[attr-defined]
    if not getattr(previous, "_workerscope", False):
        sys.excepthook = excepthook


def _announce_root() -> None:
    """The program's own process, started by the editor's runtime, says which interpreter it is:
    the runtime builds the report itself and starts no interpreter of its own to ask."""
    from . import wire
    runtime.emit(wire.PROCESS_START, ppid=os.getppid(), owner=None, role=wire.ROLE_MAIN,
                 name="MainProcess", python="%d.%d.%d" % sys.version_info[:3],
                 cacheTag=getattr(sys.implementation, "cache_tag", None))


def _run_exit_hooks() -> None:
    hooks = sys.modules.get(__package__ + ".hooks_process")
    if hooks is not None:  # no hook module loaded: nothing was traced, nothing to flush
        hooks.run_exit_hooks()
