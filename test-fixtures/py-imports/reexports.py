# `work` is a lambda defined in reexport/tasks.py and re-exported by reexport/__init__.py: flagged.
# `double` comes the same way but is a module-level function: not flagged.
from multiprocessing import Pool

from reexport import double, work


def run(xs):
    with Pool(2) as pool:
        print(pool.map(work, xs))
        print(pool.map(double, xs))


if __name__ == "__main__":
    run(range(4))
