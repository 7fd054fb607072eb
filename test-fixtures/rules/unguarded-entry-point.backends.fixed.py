"""Fixture: which backends start worker processes at import time, and which do not."""
import billiard
from distributed import Client, LocalCluster
from joblib import Parallel, delayed
from pathos.pools import ProcessPool
from torch.multiprocessing import Pool


def square(x):
    return x * x


if __name__ == "__main__":
    celery_pool = billiard.Pool(2)  # [unguarded-entry-point]
    torch_pool = Pool(2)  # [unguarded-entry-point]
    cluster = LocalCluster(n_workers=2)  # [unguarded-entry-point]
    client = Client()  # [unguarded-entry-point]
    pp = ProcessPool(nodes=2)
    print(pp.map(square, range(4)))  # [unguarded-entry-point]

    # OK
    # joblib's default backend (loky) never runs the main module in its workers.
    print(Parallel(n_jobs=2)(delayed(square)(x) for x in range(4)))
    # Connecting to a running scheduler starts nothing; processes=False keeps workers in threads.
    remote = Client("tcp://scheduler:8786")
    threads = LocalCluster(processes=False)
    remote_too = Client(cluster)
# torch spawn with an explicit fork start method does not re-import the module.
import torch.multiprocessing as tmp  # noqa: E402

tmp.start_processes(square, nprocs=2, start_method="fork")
