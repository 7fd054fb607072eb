"""Pool.map and friends whose input iterable raises, and calls on a closed pool: each must
raise exactly as it does untraced (same exception, same traceback), process and thread pools
alike; the last one is left uncaught so the printed traceback is compared too."""
import multiprocessing
import sys
import traceback
from multiprocessing.pool import ThreadPool

from _common import start_method


def square(x):
    return x * x


def rows():
    yield 1
    yield 2
    raise ValueError("row 3 is not a number")


def attempt(label, call):
    try:
        print(label, "returned", call())
    except Exception as exc:
        names = [frame.name for frame in traceback.extract_tb(exc.__traceback__)]
        print(label, "raised", type(exc).__name__, exc, names)


if __name__ == "__main__":
    start_method()
    for make in (multiprocessing.Pool, ThreadPool):
        kind = make.__name__
        with make(2) as pool:
            attempt(kind + " map", lambda: pool.map(square, rows()))
            attempt(kind + " map_async", lambda: pool.map_async(square, rows()).get())
            attempt(kind + " starmap", lambda: pool.starmap(square, ((x,) for x in rows())))
            attempt(kind + " starmap_async",
                    lambda: pool.starmap_async(square, ((x,) for x in rows())).get())
            attempt(kind + " imap", lambda: list(pool.imap(square, rows())))
            print(kind, "still works:", pool.map(square, range(4)))
        pool.close()
        attempt(kind + " closed apply_async", lambda: pool.apply_async(square, (1,)))
        attempt(kind + " closed map", lambda: pool.map(square, [1]))
        attempt(kind + " closed imap", lambda: pool.imap(square, [1]))
        attempt(kind + " closed map, raising input", lambda: pool.map(square, rows()))
    sys.stdout.flush()
    with multiprocessing.Pool(2) as pool:
        pool.map(square, rows())
