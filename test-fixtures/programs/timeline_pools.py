"""Every kind of worker the timeline draws, with known task counts: Pool map/imap/apply_async/
starmap, a failing chunk, ProcessPoolExecutor submit and map, a Process, a ThreadPoolExecutor
and a named thread."""
import concurrent.futures
import multiprocessing
import threading
import time

from _common import start_method


def square(x):
    return x * x


def add(a, b):
    return a + b


def fails_on_five(x):
    if x == 5:
        raise ValueError("five")
    return x


def nap(seconds):
    time.sleep(seconds)


if __name__ == "__main__":
    ctx = multiprocessing.get_context(start_method())
    with ctx.Pool(2) as pool:
        print(sum(pool.map(square, range(40))))
        print(sum(pool.imap(square, range(7))))
        print(pool.apply_async(add, (2, 3)).get())
        print(pool.starmap(add, [(1, 2), (3, 4), (5, 6)]))
        try:
            pool.map(fails_on_five, range(8), chunksize=4)
        except ValueError as exc:
            print("raised:", exc)
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=ctx) as ex:
        print(ex.submit(square, 9).result())
        print(list(ex.map(square, range(5))))
        print(list(ex.map(square, range(6), chunksize=3)))
    with concurrent.futures.ThreadPoolExecutor(2) as tx:
        print(list(tx.map(square, range(4))))
    proc = ctx.Process(target=nap, args=(0.05,))
    proc.start()
    proc.join()
    thread = threading.Thread(target=nap, args=(0.05,), name="napper")
    thread.start()
    thread.join()
    print("done")
