"""Workerscope tracer: follows a Python program's pools, executors, processes and threads.

Run ``python -m workerscope_tracer -- script.py`` (see supervisor.py); the traced processes
are reached through bootstrap/sitecustomize.py and write events described in wire.py.
"""

__version__ = "0.1.0"
