"""Pool workers increment a shared Value without its lock; the pool ends by leaving its with block (terminate)."""
import multiprocessing

from _common import start_method

counter = None


def share(value):
    global counter
    counter = value


def bump(n):
    for _ in range(n):
        counter.value += 1
    return n


if __name__ == "__main__":
    start_method()
    shared = multiprocessing.Value("i", 0)
    with multiprocessing.Pool(2, initializer=share, initargs=(shared,)) as pool:
        print("tasks", sum(pool.map(bump, [50] * 8, chunksize=1)))
