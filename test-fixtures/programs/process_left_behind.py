"""The main process leaves without ending what it started: a Manager's server and a plain
Process that never returns outlive it (os._exit skips multiprocessing's own clean-up)."""
import multiprocessing
import os
import time

from _common import start_method


def linger():
    time.sleep(120)


if __name__ == "__main__":
    start_method()
    manager = multiprocessing.Manager()
    shared = manager.dict()
    shared["ok"] = 1
    child = multiprocessing.Process(target=linger, name="Lingerer")
    child.start()
    print("started", child.pid, flush=True)
    os._exit(0)
