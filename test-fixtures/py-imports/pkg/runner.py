from multiprocessing import Pool

from .helpers import make_worker
from .sub import scale


def run(xs):
    with Pool(2) as pool:
        print(pool.map(make_worker(), xs))
        print(pool.map(scale, xs))


if __name__ == "__main__":
    run(range(4))
