"""Fixture: pools created in functions that module-level code calls."""
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context


def work(x):
    return x


def run_pool():
    with multiprocessing.Pool() as pool:
        return pool.map(work, range(4))


def main():
    return run_pool()


class Runner:
    def __init__(self):
        self.ctx = get_context("spawn")

    def go(self):
        proc = self.ctx.Process(target=work, args=(1,))
        proc.start()


def start_runner():
    Runner().go()


def run_on(executor):
    """Starts processes only when given a process executor."""
    return list(executor.map(work, range(4)))


class Serial:
    def map(self, fn, items):
        return map(fn, items)


if __name__ != "__main__":
    pass
else:
    main()  # fine: this branch is the main guard

main()  # [unguarded-entry-point]
start_runner()  # [unguarded-entry-point]
run_on(ProcessPoolExecutor())  # [unguarded-entry-point]
run_on(Serial())  # fine: a plain object's map starts nothing
