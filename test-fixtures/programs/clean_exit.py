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
    # The tracer must leave the module search path as it would have been.
    print(sys.path)
    sys.stderr.write("done\n")
    sys.exit(3)
