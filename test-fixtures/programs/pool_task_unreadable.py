"""A task function defined under the __main__ guard: spawn and forkserver workers cannot
load it (each one that takes a task dies), so map() never returns; fork runs it."""
import multiprocessing

from _common import start_method

if __name__ == "__main__":
    def double(x):
        return x * 2

    start_method()
    with multiprocessing.Pool(2) as pool:
        print(pool.map(double, range(6), chunksize=3))
