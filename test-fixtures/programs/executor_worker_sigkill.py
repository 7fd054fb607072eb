"""An executor worker is SIGKILLed on element 2: BrokenProcessPool, which names no task."""
import concurrent.futures
import multiprocessing
import os
import signal

from _common import start_method


def load_shard(shard):
    if shard == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    return shard


if __name__ == "__main__":
    ctx = multiprocessing.get_context(start_method())
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=ctx) as ex:
        try:
            print(list(ex.map(load_shard, range(4))))
        except concurrent.futures.process.BrokenProcessPool as exc:
            print("broken:", type(exc).__name__)
