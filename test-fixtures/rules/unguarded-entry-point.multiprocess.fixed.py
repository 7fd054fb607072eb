"""Fixture: dill-based `multiprocess` pools start children exactly as multiprocessing's do."""
import multiprocess as mpd


def square(x):
    return x * x


if __name__ == "__main__":
    pool = mpd.Pool(4)  # [unguarded-entry-point]
    print(pool.map(square, range(10)))
    pool.close()
    pool.join()
