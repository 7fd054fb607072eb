from concurrent.futures import ProcessPoolExecutor

import pkg.sub
import tasks
from layout_pkg.jobs import handler


def run(xs):
    with ProcessPoolExecutor(2) as ex:
        print(list(ex.map(tasks.work, xs)))
        print(list(ex.map(pkg.sub.make_scaler(3), xs)))
        print(list(ex.map(handler, xs)))
        print(list(ex.map(tasks.square, xs)))
        print(list(ex.map(pkg.sub.scale, xs)))


if __name__ == "__main__":
    run(range(4))
