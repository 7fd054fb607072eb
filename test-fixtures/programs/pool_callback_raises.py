"""A result callback raises KeyError: the pool's result handler takes it for a result of a job
already gone and drops it silently, so get() never returns."""
import multiprocessing

from _common import start_method

CACHE = {}


def square(x):
    return x * x


def remember(result):
    CACHE[result] += 1  # KeyError: nothing stored yet


if __name__ == "__main__":
    start_method()
    with multiprocessing.Pool(2) as pool:
        pending = pool.apply_async(square, (3,), callback=remember)
        print(pending.get())
