"""A Process target that leaves with os._exit(3) (nothing is printed), beside one that ends
with sys.exit(0) and one that returns after a raw os.fork() whose child leaves by os._exit(4)."""
import multiprocessing
import os
import sys

from _common import start_method


def migrate(shard):
    applied = shard * 10
    if shard == 2:
        os._exit(3)
    if shard == 1:
        sys.exit(0)
    helper = os.fork()
    if helper == 0:
        os._exit(4)  # a helper of the target's own, not the target: no failure
    os.waitpid(helper, 0)
    return applied


if __name__ == "__main__":
    start_method()
    workers = [multiprocessing.Process(target=migrate, args=(n,)) for n in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print("exit codes", [worker.exitcode for worker in workers])
