"""A pool worker is SIGKILLed (as by the OOM killer) on element 3: Pool.map hangs forever."""
import multiprocessing
import os
import signal

from _common import start_method


def load_shard(shard):
    if shard == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return shard


if __name__ == "__main__":
    start_method()
    with multiprocessing.Pool(2) as pool:
        print(pool.map(load_shard, range(6), chunksize=2))
