"""A task calls os._exit(3) on element 1 of imap_unordered; the pool hangs."""
import multiprocessing
import os

from _common import start_method


def run_step(step):
    if step == 1:
        os._exit(3)
    return step


if __name__ == "__main__":
    start_method()
    with multiprocessing.Pool(2) as pool:
        print(sorted(pool.imap_unordered(run_step, range(4))))
