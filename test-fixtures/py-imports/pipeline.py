"""A helper that submits the function it is given to a process pool (passing.py passes one in)."""
from multiprocessing import Pool


def run_all(fn, xs):
    with Pool(2) as pool:
        return pool.map(fn, xs)


def run_logged(xs, fn=None):
    with Pool(2) as pool:
        return pool.map(fn or abs, xs)
