"""Workerscope tracer: follows a Python program's pools, executors, processes and threads.

Two halves.  The modules at this level run inside every traced process (bootstrap/sitecustomize.py
installs them through install.py): hooks on multiprocessing, concurrent.futures and threading
that write the events described in wire.py to the channel; every pool worker imports them, so
they stay cheap to import.  ``tools/`` is the out-of-process half, which only the supervisor
runs: ``python -m workerscope_tracer -- script.py`` (tools/supervisor.py), its hang and stall
watches, the process-tree search and the report.  The tools use modules of this level (wire,
channel and livestack above all); nothing here imports the tools.
"""

__version__ = "0.1.0"
