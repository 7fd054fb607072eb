"""Pool.starmap (chunksize 2): the pair (3, 0) divides by zero; the error propagates (exit 1)."""
import multiprocessing

from _common import start_method


def ratio(numerator, denominator):
    return numerator / denominator


if __name__ == "__main__":
    start_method()
    pairs = [(1, 1), (2, 1), (6, 3), (3, 0), (8, 2)]
    with multiprocessing.Pool(2) as pool:
        print(pool.starmap(ratio, pairs, chunksize=2))
