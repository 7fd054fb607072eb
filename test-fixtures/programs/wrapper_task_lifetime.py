"""A task's arguments are released by the worker as soon as its result is sent, as CPython
does: an argument's __del__ runs in the worker before the parent's call returns, for
Pool.apply, Pool.map chunks and ProcessPoolExecutor.submit/map."""
import concurrent.futures
import multiprocessing
import os

from _common import start_method

RELEASED = None


def remember(event):
    global RELEASED
    RELEASED = event


class Payload:
    """Its copy in a worker signals when the worker lets it go."""

    def __init__(self):
        self.origin = os.getpid()
        self.data = bytearray(1024)

    def __del__(self):
        if os.getpid() != self.origin and RELEASED is not None:
            RELEASED.set()


def size(payload):
    return len(payload.data)


def check(label, run, event):
    event.clear()
    result = run()
    print(label, result, "released in the worker:", event.wait(10))


if __name__ == "__main__":
    start_method()
    released = multiprocessing.Event()
    with multiprocessing.Pool(1, initializer=remember, initargs=(released,)) as pool:
        check("Pool.apply", lambda: pool.apply(size, (Payload(),)), released)
        check("Pool.map", lambda: pool.map(size, [Payload(), Payload()], chunksize=2), released)
        check("Pool.apply_async", lambda: pool.apply_async(size, (Payload(),)).get(), released)
    with concurrent.futures.ProcessPoolExecutor(1, initializer=remember,
                                                initargs=(released,)) as executor:
        check("submit", lambda: executor.submit(size, Payload()).result(), released)
        check("map", lambda: list(executor.map(size, [Payload(), Payload()], chunksize=2)),
              released)
