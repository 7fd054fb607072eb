"""Fixture for iterator-outlives-pool: positives first, then # OK negatives."""
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import Pool
from multiprocessing.pool import ThreadPool


def measure(path):
    return len(path)


def imap_after_with(paths):
    with Pool() as pool:
        sizes = pool.imap(measure, paths)
        for size in sizes:  # [iterator-outlives-pool]
            #       ^^^^^ [iterator-outlives-pool]
            print(size)


def list_after_with(paths):
    with mp.Pool(4) as pool:
        it = pool.imap_unordered(measure, paths, chunksize=8)
        return list(it)  # [iterator-outlives-pool]


def map_async_get_after(paths):
    with Pool(2) as pool:
        result = pool.map_async(measure, paths)
        total = sum(result.get())  # [iterator-outlives-pool]
    return total


def apply_async_list_after(paths):
    with ThreadPool(4) as tp:
        pending = [tp.apply_async(measure, (p,)) for p in paths]
        return [r.get() for r in pending]  # [iterator-outlives-pool]


def closed_but_not_joined(paths):
    with Pool() as pool:
        lazy = pool.imap(measure, paths)
        pool.close()
        return sum(lazy)  # [iterator-outlives-pool]


def other_pool_joined(paths, other):
    with Pool() as pool:
        lazy = pool.imap(measure, paths)
        other.close()
        other.join()
        return sum(lazy)  # [iterator-outlives-pool]


def returned_from_with(paths):
    with Pool() as pool:
        return pool.imap(measure, paths)  # [iterator-outlives-pool]


def context_pool(paths):
    ctx = mp.get_context("spawn")
    with ctx.Pool() as pool:
        chunks = pool.starmap_async(pow, [(len(p), 2) for p in paths])
        print("submitted")
        print(chunks.get(timeout=60))  # [iterator-outlives-pool]

def appended_results(xs):
    pending = []
    with Pool(2) as pool:
        for x in xs:
            pending.append(pool.apply_async(measure, (x,)))
        return [r.get(timeout=5) for r in pending]  # [iterator-outlives-pool]


# OK


def consumed_inside(paths):
    with Pool() as pool:
        sizes = pool.imap(measure, paths)
        for size in sizes:
            print(size)


def listed_inside(paths):
    with Pool() as pool:
        sizes = list(pool.imap(measure, paths))
    return sizes


def get_inside(paths):
    with Pool() as pool:
        total = pool.map_async(measure, paths).get()
    return total


def rebound_inside(paths):
    with Pool() as pool:
        it = pool.imap(measure, paths)
        it = list(it)
    return it


def executor_map(paths):
    with ProcessPoolExecutor() as ex:
        sizes = ex.map(measure, paths)
    return list(sizes)


def results_inside(paths):
    with Pool() as pool:
        pending = [pool.apply_async(measure, (p,)) for p in paths]
        values = [r.get() for r in pending]
    return values


def yielded_inside(paths):
    with Pool() as pool:
        yield from pool.imap(measure, paths)


def closed_not_with(paths):
    pool = Pool()
    it = pool.imap(measure, paths)
    pool.close()
    out = list(it)
    pool.join()
    return out


def closed_and_joined_inside(paths):
    # join() returns once every task is done and its result delivered: nothing left to lose.
    with mp.Pool() as pool:
        lazy = pool.imap_unordered(measure, paths)
        pool.close()
        pool.join()
    return sum(lazy)


def appended_and_read_inside(xs):
    pending = []
    with Pool(2) as pool:
        for x in xs:
            pending.append(pool.apply_async(measure, (x,)))
        values = [r.get() for r in pending]
    print(len(pending))
    return values
