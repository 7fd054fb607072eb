"""A one-worker executor whose worker finishes elements 0 and 1, then is SIGKILLed on element 2:
the spans of the two it finished were still in its buffer."""
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
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=ctx) as ex:
        try:
            for result in ex.map(load_shard, range(4)):
                print(result)
        except concurrent.futures.process.BrokenProcessPool as exc:
            print("broken:", type(exc).__name__)
