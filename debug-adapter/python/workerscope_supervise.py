"""Fast launcher for the supervisor: ``python -S workerscope_supervise.py [options] -- script.py``.

Same as ``python -m workerscope_tracer`` but meant to be run with ``-S``: the supervisor
needs nothing from site-packages, and skipping ``site`` (and any ``.pth`` files) saves
most of its own interpreter startup, which is the bulk of the tracer's fixed overhead.
The traced program itself still starts normally, with site.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from workerscope_tracer.tools.supervisor import ensure_bytecode, exit_now, main  # noqa: E402

if __name__ == "__main__":
    if sys.argv[1:] == ["--compile-tracer"]:  # the editor's runtime, after a run that lacked it
        ensure_bytecode(sys.executable)
        exit_now(0)
    exit_now(main(sys.argv[1:]))
