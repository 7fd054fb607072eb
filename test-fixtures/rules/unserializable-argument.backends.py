"""Fixture: task arguments per serialiser: pickle, dill (multiprocess, pathos), cloudpickle (joblib, Dask, Ray)."""
import multiprocessing
import socket
import sqlite3
import threading

import billiard
import multiprocess
from distributed import Client
from joblib import Parallel, delayed
from mpire import WorkerPool
from pathos.pools import ProcessPool
from ray.util.multiprocessing import Pool as RayPool


def work(*args):
    return len(args)


def rows():
    yield 1


class Session:
    def __init__(self):
        self._lock = threading.Lock()


class Loader:
    def __init__(self):
        self.session = Session()


def dill_backends(xs):
    lock = multiprocessing.Lock()
    with multiprocess.Pool(2) as pool:
        pool.apply_async(work, (lock,)).get()  # [unserializable-argument]
        pool.map(work, [rows()])  # [unserializable-argument]
    pp = ProcessPool(nodes=2)
    pp.apipe(work, sqlite3.connect(":memory:")).get()  # [unserializable-argument]


def billiard_pool(xs):
    q = billiard.Queue()
    with billiard.Pool(2) as pool:
        pool.apply(work, (q,))  # [unserializable-argument]


def joblib_args(path):
    lock = threading.Lock()
    Parallel(n_jobs=2)(delayed(work)(lock) for _ in range(2))  # [unserializable-argument]
    Parallel(n_jobs=2)(delayed(work)(open(path, "w")) for _ in range(2))  # [unserializable-argument]


def dask_args(path):
    loader = Loader()
    with Client() as client:
        client.submit(work, loader).result()  # [unserializable-argument]
        client.submit(work, socket.socket()).result()  # [unserializable-argument]
        client.submit(work, multiprocessing.Queue()).result()  # [unserializable-argument]


def ray_and_mpire():
    lock = threading.Lock()
    with RayPool() as pool:
        pool.map(work, [lock])  # [unserializable-argument]


# OK
def mpire_is_not_checked():
    # mpire pickles arguments in its queues' feeder threads: where the error shows is unverified.
    with WorkerPool(n_jobs=2) as wp:
        wp.map(work, [threading.Lock()])


def dill_copies_thread_locks_and_reopens_files(path):
    with multiprocess.Pool(2) as pool:
        pool.apply_async(work, (threading.Lock(),)).get()
        pool.apply_async(work, (open(path),)).get()


def cloudpickle_sends_text_files_read_and_joblib_sockets(path):
    manager = multiprocessing.Manager()
    Parallel(n_jobs=2)(delayed(work)(open(path), socket.socket(), manager.Lock()) for _ in range(2))
    with Client() as client:
        client.submit(work, open(path)).result()
