"""Workerscope bootstrap: runs in every Python process started with this directory on PYTHONPATH.

If WORKERSCOPE_CHANNEL is set, installs the tracer (lazily; see workerscope_tracer.install),
then runs the next ``sitecustomize`` found further on sys.path exactly once.  Kept free of
modern syntax so that an older interpreter inheriting PYTHONPATH does not break.
"""
import os
import sys


def _workerscope_bootstrap():
    here = os.path.dirname(os.path.abspath(__file__))
    channel = os.environ.get("WORKERSCOPE_CHANNEL")
    if channel and sys.version_info >= (3, 8) and "workerscope_tracer" not in sys.modules:
        try:
            # Imported through a transient sys.path entry, removed right away so the
            # user's sys.path is unchanged (importlib.util would cost milliseconds here).
            parent = os.path.dirname(here)
            sys.path.insert(0, parent)
            try:
                from workerscope_tracer import install
            finally:
                try:
                    sys.path.remove(parent)
                except ValueError:
                    pass
            install.install(channel)
        except Exception:
            pass  # tracing must never stop the program
    _chain(here)
    # This directory reached us through PYTHONPATH, which child processes inherit; the program
    # itself should see the sys.path it would have had (and its imports skip one directory).
    for i, entry in enumerate(sys.path):
        if entry and os.path.abspath(entry) == here:
            del sys.path[i]
            break


def _chain(here):
    try:
        # The import system's own frozen modules: importing the importlib package (and
        # warnings with it) would cost every traced process a fraction of a millisecond.
        external = sys.modules.get("_frozen_importlib_external")
        bootstrap = sys.modules.get("_frozen_importlib")
        if external is None or bootstrap is None:
            import importlib.machinery as external
            import importlib._bootstrap as bootstrap
        entries = [p for p in sys.path
                   if os.path.abspath(p or os.curdir) != here]
        spec = external.PathFinder.find_spec("sitecustomize", entries)
        if spec is None or spec.origin is None or \
                os.path.dirname(os.path.abspath(spec.origin)) == here:
            return
        module = bootstrap.module_from_spec(spec)
        sys.modules["sitecustomize"] = module
        spec.loader.exec_module(module)
    except ImportError as exc:
        if getattr(exc, "name", None) != "sitecustomize":
            _complain(exc)
    except Exception as exc:
        _complain(exc)


def _complain(exc):
    # Same message site.py prints for a broken sitecustomize.
    sys.stderr.write("Error in sitecustomize; set PYTHONVERBOSE for traceback:\n%s: %s\n"
                     % (type(exc).__name__, exc))


_workerscope_bootstrap()
del _workerscope_bootstrap
