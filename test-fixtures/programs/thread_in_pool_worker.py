"""A pool task starts a thread that raises; the task itself succeeds."""
import multiprocessing
import threading

from _common import start_method


def heartbeat(n):
    interval = n * 0.0
    raise TimeoutError("heartbeat %d lost" % n)


def task(n):
    t = threading.Thread(target=heartbeat, args=(n,), name="heartbeat-%d" % n)
    t.start()
    t.join()
    return n


if __name__ == "__main__":
    start_method()
    with multiprocessing.Pool(1) as pool:
        print(pool.apply(task, (5,)))
