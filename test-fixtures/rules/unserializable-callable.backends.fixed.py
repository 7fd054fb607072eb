"""Fixture: pickle-based backends refuse lambdas and nested functions; dill and cloudpickle do not."""
import billiard
import multiprocess
import torch.multiprocessing as tmp
from distributed import Client
from joblib import Parallel, delayed
from pathos.pools import ProcessPool


def run(rank):
    print(rank)


def worker(rank, data):
    print(rank, data)


def torch_nested():

    tmp.spawn(worker, args=([1, 2],), nprocs=2)  # [unserializable-callable]


def _task(x):
    return x + 1


def billiard_lambda(xs):
    with billiard.Pool(2) as pool:
        return pool.map(_task, xs)  # [unserializable-callable]


def _task_2(x):
    return x * 2


def torch_pool_lambda(xs):
    with tmp.Pool(2) as pool:
        return pool.map(_task_2, xs)  # [unserializable-callable]


# OK
def dill_pools(xs):
    with multiprocess.Pool(2) as pool:
        pool.map(lambda x: x + 1, xs)
    pp = ProcessPool(nodes=2)
    return pp.map(lambda x: x - 1, xs)


def cloudpickle_backends(xs):
    def nested(x):
        return -x

    Parallel(n_jobs=2)(delayed(lambda x: x)(x) for x in xs)
    with Client() as client:
        return client.gather(client.map(nested, xs))


def torch_spawn_module_level():
    tmp.spawn(run, nprocs=2)
