"""ProcessPoolExecutor.map with chunksize 4: element 9 raises; the exception propagates (exit 1)."""
import concurrent.futures
import multiprocessing

from _common import start_method


def invert(value):
    shifted = value - 9
    return 1 / shifted


if __name__ == "__main__":
    ctx = multiprocessing.get_context(start_method())
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=ctx) as ex:
        print(list(ex.map(invert, range(12), chunksize=4)))
