# Nothing here is flagged: module-level functions imported from project modules pickle by name,
# and names from modules that do not exist are unknown.
from multiprocessing import Pool

import pkg.sub
from missing_module import mystery
from pkg.sub import scale
from tasks import square


def run(xs):
    with Pool(2) as pool:
        print(pool.map(square, xs))
        print(pool.map(scale, xs))
        print(pool.map(pkg.sub.scale, xs))
        print(pool.map(mystery, xs))


if __name__ == "__main__":
    run(range(4))
