"""Results a pool worker cannot send back: an exception holding a lock, and a chunk whose fifth result is a lock."""
import multiprocessing
import threading

from _common import start_method


class HandleError(Exception):
    pass


def open_handle(i):
    if i == 3:
        raise HandleError("handle %d stuck" % i, threading.Lock())
    return i


def build(i):
    if i == 4:
        return threading.Lock()
    return i


if __name__ == "__main__":
    ctx = multiprocessing.get_context(start_method())
    with ctx.Pool(2) as pool:
        try:
            pool.map(open_handle, range(6), chunksize=2)
        except Exception as exc:
            print("open failed:", type(exc).__name__)
        try:
            pool.map(build, range(6), chunksize=3)
        except Exception as exc:
            print("build failed:", type(exc).__name__)
