"""A closed pool used again, from a thread and from the main thread: both tracebacks are
printed exactly as without the tracer (no wrapper frames)."""
import multiprocessing
import threading

from _common import start_method


def square(x):
    return x * x


if __name__ == "__main__":
    start_method()
    pool = multiprocessing.Pool(2)
    pool.close()
    late = threading.Thread(target=pool.apply_async, args=(square, (2,)), name="late-submit")
    late.start()
    late.join()
    pool.join()
    pool.map(square, range(3))
