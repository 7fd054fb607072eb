"""Fixture for unclosed-pool: positives first, then # OK negatives."""
import atexit
import concurrent.futures as cf
import multiprocessing
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import closing
from multiprocessing import Pool
from multiprocessing.pool import ThreadPool


def square(x):
    return x * x


def map_without_close(xs):
    pool = Pool(4)  # [unclosed-pool]
    #      ^^^^^^^ [unclosed-pool]
    result = pool.map(square, xs)
    return result


def executor_alias_never_shut_down(urls):
    ex = cf.ThreadPoolExecutor(max_workers=8)  # [unclosed-pool]
    futures = [ex.submit(square, u) for u in urls]
    return [f.result() for f in futures]


def context_pool(xs):
    ctx = mp.get_context("spawn")
    pool = ctx.Pool(2)  # [unclosed-pool]
    out = pool.starmap(pow, [(x, 2) for x in xs])
    print(out)
    return out


def inline_pool(xs):
    return Pool().map(square, xs)  # [unclosed-pool]


def thread_pool_loop(batches):
    totals = []
    for batch in batches:
        tp = ThreadPool(4)  # [unclosed-pool]
        totals.append(sum(tp.map(square, batch)))
    return totals


def process_executor_results(xs):
    executor = ProcessPoolExecutor()  # [unclosed-pool]
    results = list(executor.map(square, xs))
    print(len(results))
    return results


class Job:
    def run(self, xs):
        pool = multiprocessing.Pool(processes=2)  # [unclosed-pool]
        return pool.map(square, xs)


# OK


def with_pool(xs):
    with Pool(4) as pool:
        return pool.map(square, xs)


def closed_and_joined(xs):
    pool = Pool(4)
    try:
        return pool.map(square, xs)
    finally:
        pool.close()
        pool.join()


def terminated(xs):
    pool = mp.Pool()
    result = pool.map_async(square, xs)
    out = result.get(timeout=10)
    pool.terminate()
    return out


def shut_down(xs):
    ex = ThreadPoolExecutor()
    fs = [ex.submit(square, x) for x in xs]
    ex.shutdown(wait=True)
    return [f.result() for f in fs]


def returned_pool():
    pool = Pool(2)
    return pool


def returned_directly():
    return ProcessPoolExecutor(max_workers=2)


class Service:
    def __init__(self):
        self.pool = Pool(2)
        self._executors = [ThreadPoolExecutor(1)]

    def stop(self):
        self.pool.close()


def passed_to_closer(xs):
    pool = Pool(2)
    run_and_close(pool, xs)


def run_and_close(pool, xs):
    try:
        return pool.map(square, xs)
    finally:
        pool.close()


def with_existing(xs):
    pool = Pool(2)
    with pool:
        return pool.map(square, xs)


def closing_wrapper(xs):
    with closing(Pool(2)) as pool:
        return pool.map(square, xs)


def registered_shutdown():
    ex = ThreadPoolExecutor()
    atexit.register(ex.shutdown)
    return ex.submit(square, 3)


def stored_in_dict(registry):
    pool = Pool(2)
    registry["pool"] = pool


_EXECUTOR = ThreadPoolExecutor(max_workers=4)


def long_lived(x):
    return _EXECUTOR.submit(square, x)


def closure_closes(xs):
    pool = Pool(2)

    def finish():
        pool.close()
        pool.join()

    atexit.register(finish)
    return pool.map(square, xs)


def maybe_pool(n, xs):
    pool = Pool(n) if n > 1 else None
    try:
        return pool.map(square, xs) if pool else list(map(square, xs))
    finally:
        if pool:
            pool.close()


def thread_pool_context(xs):
    with ThreadPool(2) as tp:
        return tp.map(square, xs)


def suppressed(xs):
    pool = Pool(2)  # workerscope: ignore[unclosed-pool]
    return pool.map(square, xs)


import_time_pool = Pool(2)
print(import_time_pool.map(square, range(3)))

