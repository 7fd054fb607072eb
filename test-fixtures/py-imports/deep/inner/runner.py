# Two levels up (`from ..util import ...`): the factory's lambda is flagged, the module-level function is not.
from multiprocessing import Pool

from ..util import make_offset, offset_one


def run(xs):
    with Pool(2) as pool:
        print(pool.map(make_offset(3), xs))
        print(pool.map(offset_one, xs))


if __name__ == "__main__":
    run(range(4))
