"""Fixture: dropped results per backend: lazy imap iterators, Dask futures, pathos async results."""
from multiprocessing.pool import ThreadPool

import multiprocess
from distributed import Client, fire_and_forget
from joblib import Parallel, delayed
from pathos.pools import ProcessPool


def work(x):
    return 1 / x


def imap_dropped(xs):
    with multiprocess.Pool(2) as pool:
        pool.imap(work, xs)  # [discarded-task-result]
        pool.imap_unordered(work, xs)  # [discarded-task-result]
        pool.close()
        pool.join()


def thread_pool_imap(xs):
    tp = ThreadPool(2)
    tp.imap(work, xs)  # [discarded-task-result]
    tp.close()
    tp.join()


def dask_dropped(xs):
    with Client() as client:
        client.submit(work, 0)  # [discarded-task-result]
        future = client.submit(work, 1)  # [discarded-task-result]
        future = None


def pathos_async(xs):
    pp = ProcessPool(nodes=2)
    pp.amap(work, xs)  # [discarded-task-result]
    pp.apipe(work, 0)  # [discarded-task-result]


# OK
def consumed(xs):
    with multiprocess.Pool(2) as pool:
        for _ in pool.imap(work, xs):
            pass
        results = list(pool.imap_unordered(work, xs))
    with Client() as client:
        kept = client.submit(work, 2)
        print(kept.result(), results)
        fire_and_forget(client.submit(work, 3))
        client.map(work, xs)
    Parallel(n_jobs=2)(delayed(work)(x) for x in xs)  # synchronous: it raises the first failure


def test_submit_refuses(pytest):
    with Client() as client, pytest.raises(ValueError):
        client.submit(work, object())
