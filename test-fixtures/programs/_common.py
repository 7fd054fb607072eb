"""Shared helper for the fixture programs: pick the start method from argv or env."""
import multiprocessing
import os
import sys


def start_method():
    """argv[1] or WORKERSCOPE_TEST_START_METHOD or the platform default."""
    method = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("WORKERSCOPE_TEST_START_METHOD")
    if method:
        multiprocessing.set_start_method(method, force=True)
    return multiprocessing.get_start_method()
