"""Makes thumbnails in a pool of two; one worker is killed midway (as the OOM killer would), so
Pool.map waits forever for the lost chunk: the timeline shows the kill, the replacement worker and
the wait that never ends."""
import os
import signal
import time
from multiprocessing import Pool


def checksum(n):
    time.sleep(0.002)
    return n * 31 % 7


def thumbnail(n):
    time.sleep(0.004 + (n % 7) * 0.0015)
    if n == 77:
        time.sleep(0.2)  # One large image.
    if n == 42:
        raise ValueError(f"image {n} is truncated")
    if n == 120:
        os.kill(os.getpid(), signal.SIGKILL)
    return n


if __name__ == "__main__":
    with Pool(2) as pool:
        sums = pool.map_async(checksum, range(40))
        print(len(pool.map(thumbnail, range(200))))
