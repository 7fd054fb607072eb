"""The tracer's out-of-process half: what only the supervisor process runs (supervisor.py and
what it uses), never imported by the traced program's processes.  Modules both halves use
(wire.py, channel.py, livestack.py) stay one level up, with the in-process hooks."""

import os

# The directory that holds the tracer package, bootstrap/ and workerscope_supervise.py.
PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BOOTSTRAP_DIR = os.path.join(PYTHON_DIR, "bootstrap")
