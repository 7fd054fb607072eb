"""The Manager's server process is killed (as the OOM killer would): every later task that
carries one of its proxies cannot be loaded by a worker, which leaves quietly (exit 0) and
drops the task, and map() waits forever."""
import multiprocessing
import os
import signal

from _common import start_method


def record(shared, key):
    shared[key] = key * 2
    return key


if __name__ == "__main__":
    start_method()
    manager = multiprocessing.Manager()
    shared = manager.dict()
    with multiprocessing.Pool(2) as pool:
        print(pool.starmap(record, [(shared, n) for n in range(2)], chunksize=1))
        os.kill(manager._process.pid, signal.SIGKILL)
        print(pool.starmap(record, [(shared, n) for n in range(4)], chunksize=1))
