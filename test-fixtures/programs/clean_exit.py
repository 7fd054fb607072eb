"""A clean pool run that prints results and exits with status 3."""
import multiprocessing
import sys

from _common import start_method


def square(x):
    return x * x


if __name__ == "__main__":
    start_method()
    with multiprocessing.Pool(2) as pool:
        print(pool.map(square, range(5)))
    sys.stderr.write("done\n")
    sys.exit(3)
