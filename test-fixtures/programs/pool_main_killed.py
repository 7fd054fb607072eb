"""The main process is killed mid-map: two tasks are running (each touches a file in argv[2]
once it has started, and the main process says "ready" when both have)."""
import multiprocessing
import os
import sys
import time

from _common import start_method


def fetch(n):
    if n >= 2:
        open(os.path.join(sys.argv[2], "started-%d" % n), "w").close()
        time.sleep(120)  # waiting here
    return n


if __name__ == "__main__":
    start_method()
    pool = multiprocessing.Pool(2)
    result = pool.map_async(fetch, range(4), chunksize=1)
    while len(os.listdir(sys.argv[2])) < 2:
        time.sleep(0.02)
    print("ready", os.getpid(), flush=True)
    result.get()
