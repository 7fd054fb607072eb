"""A pool busy for about two seconds, long enough for a live timeline to fill in while it runs."""
import multiprocessing
import time

from _common import start_method


def slow(x):
    time.sleep(0.1)
    return x


if __name__ == "__main__":
    start_method()
    with multiprocessing.Pool(2) as pool:
        print(sum(pool.imap(slow, range(40))))
