from multiprocessing import Pool

from tasks import logged_square, make_task, square, work


def run(xs):
    with Pool(2) as pool:
        print(pool.map(work, xs))
        print(pool.map(make_task(), xs))
        print(pool.map(logged_square, xs))
        print(pool.map(square, xs))


if __name__ == "__main__":
    run(range(4))
