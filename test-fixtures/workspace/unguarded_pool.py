"""Squares numbers in a process pool, but starts the pool at import time.

Under spawn (macOS, Windows) and forkserver (Linux from Python 3.14) every worker re-imports this
module and tries to start a pool of its own.
"""
import multiprocessing as mp


def square(x):
    return x * x


pool = mp.Pool(2)
print(pool.map(square, range(10)))
pool.close()
pool.join()
