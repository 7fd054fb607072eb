"""A module that starts a process pool when it is imported (flagged here, and in scripts importing it)."""
from multiprocessing import Pool

pool = Pool(2)


def double(x):
    return 2 * x
