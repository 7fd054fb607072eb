"""Workerscope bootstrap: runs in every Python process started with this directory on PYTHONPATH.

If WORKERSCOPE_CHANNEL is set, installs the tracer (lazily; see workerscope_tracer.install),
then runs the next ``sitecustomize`` found further on sys.path exactly once.  Any interpreter
may inherit PYTHONPATH from a traced program (a Python 2.7 or 3.6 child): this file is valid
Python 2 and 3.0+, installs nothing below 3.8, and there only chains the user's own
``sitecustomize``, printing nothing of its own.
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
        except Exception:  # tracing must never stop the program
            # The tracer log (WORKERSCOPE_TRACER_LOG), if the tracer got as far as loading it.
            log = getattr(sys.modules.get("workerscope_tracer.channel"), "swallowed", None)
            if log is not None:
                log()
    try:
        _chain(here)
    finally:
        # This directory reached us through PYTHONPATH, which child processes inherit; the
        # program should see the sys.path it would have had (and its imports skip one entry).
        for i, entry in enumerate(sys.path):
            if entry and os.path.abspath(entry) == here:
                del sys.path[i]
                break


def _chain(here):
    entries = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    if sys.version_info < (3, 5):  # no module_from_spec: the old import API
        _chain_imp(here, entries)
        return
    try:
        # The import system's own frozen modules: importing the importlib package (and
        # warnings with it) would cost every traced process a fraction of a millisecond.
        external = sys.modules.get("_frozen_importlib_external")
        bootstrap = sys.modules.get("_frozen_importlib")
        if external is None or bootstrap is None:
            import importlib.machinery as external
            import importlib._bootstrap as bootstrap
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


def _chain_imp(here, entries):
    """Python 2 and 3.0-3.4. What the user's sitecustomize raises goes on to site.py, which
    prints it in that interpreter's own words; a failure of ours to find it says nothing."""
    try:
        import imp
        found = imp.find_module("sitecustomize", entries)
    except Exception:
        return
    handle, pathname, description = found
    try:
        if os.path.dirname(os.path.abspath(pathname)) != here:
            # A fresh module (load_module would run the user's code in this one's namespace).
            # This one stays alive through a reference from its own namespace: Python 2 sets
            # a dropped module's globals to None, and this code still runs after the swap.
            global _this_module
            _this_module = sys.modules.pop("sitecustomize", None)
            imp.load_module("sitecustomize", handle, pathname, description)
    finally:
        if handle is not None:
            handle.close()


def _complain(exc):
    # Same message site.py prints for a broken sitecustomize.
    sys.stderr.write("Error in sitecustomize; set PYTHONVERBOSE for traceback:\n%s: %s\n"
                     % (type(exc).__name__, exc))


try:
    _workerscope_bootstrap()
finally:
    del _workerscope_bootstrap
