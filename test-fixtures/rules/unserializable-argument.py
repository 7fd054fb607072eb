"""Fixture for unserializable-argument: positives first, then # OK negatives."""
import multiprocessing
import multiprocessing as mp
import socket
import sqlite3
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from multiprocessing import Lock, Manager, Pool, Process, Queue, Value


def work(*args):
    return args


def numbers():
    yield 1


def lock_in_apply_async():
    lock = mp.Lock()
    with mp.Pool() as pool:
        pool.apply_async(work, (lock,))  # [unserializable-argument]
        #                       ^^^^ [unserializable-argument]


def queue_in_starmap(xs):
    q = mp.Queue()
    with mp.Pool() as pool:
        pool.starmap(work, [(q, x) for x in xs])  # [unserializable-argument]


def queue_in_submit():
    q = multiprocessing.JoinableQueue()
    with ProcessPoolExecutor() as ex:
        ex.submit(work, q, 1)  # [unserializable-argument]


def value_in_map():
    counter = Value("i", 0)
    with Pool() as pool:
        pool.map(work, [counter] * 4)  # [unserializable-argument]


def array_in_apply():
    arr = mp.Array("d", 10)
    with Pool() as pool:
        pool.apply(work, args=(arr, 0))  # [unserializable-argument]


def raw_shared_memory():
    raw = mp.RawArray("d", 10)
    with Pool() as pool:
        pool.map(work, [raw])  # [unserializable-argument]


def threading_lock_in_partial(xs):
    lock = threading.Lock()
    with Pool() as pool:
        pool.map(partial(work, lock), xs)  # [unserializable-argument]


def open_file_in_map(paths):
    files = [open(p) for p in paths]
    with Pool() as pool:
        pool.map(work, files)  # [unserializable-argument]


def open_file_with(path):
    with open(path) as fh, Pool() as pool:
        pool.apply_async(work, (fh,))  # [unserializable-argument]


def generator_args():
    with Pool() as pool:
        pool.apply_async(work, ((x for x in range(3)),))  # [unserializable-argument]
        pool.starmap(work, [(numbers(), 1)])  # [unserializable-argument]


def db_connection():
    conn = sqlite3.connect(":memory:")
    with ProcessPoolExecutor() as ex:
        ex.map(work, [conn])  # [unserializable-argument]


def context_queue(xs):
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    with ctx.Pool() as pool:
        pool.map(partial(work, q=q), xs)  # [unserializable-argument]


def from_import_queue_and_lock():
    q = Queue()
    lock = Lock()
    with Pool(4) as pool:
        pool.apply_async(work, args=(q, lock))  # [unserializable-argument, unserializable-argument]


def pool_passed():
    with Pool() as pool:
        pool.apply_async(work, (pool,))  # [unserializable-argument]


def executor_passed(xs):
    with ProcessPoolExecutor() as ex:
        ex.submit(work, ex).result()  # [unserializable-argument]


class Collector:
    def __init__(self, results):
        self.results = results

    def submit(self, pool):
        pool.apply_async(work, (self.results, 1))  # [unserializable-argument]


def collector_with_queue():
    with Pool() as pool:
        Collector(Queue()).submit(pool)


def connections_appended(batches):
    conns = []
    for _ in batches:
        conns.append(sqlite3.connect(":memory:"))
    with Pool() as pool:
        pool.starmap(work, zip(conns, batches))  # [unserializable-argument]


# OK

def manager_objects(xs):
    with Manager() as manager:
        q = manager.Queue()
        lock = manager.Lock()
        d = manager.dict()
        v = manager.Value("i", 0)
        with Pool() as pool:
            pool.starmap(work, [(q, lock, d, v, x) for x in xs])
            pool.apply_async(work, (q,))


def inheritance_is_fine():
    q = mp.Queue()
    lock = mp.Lock()
    counter = Value("i", 0)
    p = Process(target=work, args=(q, lock, counter))
    p.start()
    p.join()
    with Pool(initializer=work, initargs=(q, lock, counter)) as pool:
        pool.map(work, range(3))
    with ProcessPoolExecutor(initializer=work, initargs=(q,)) as ex:
        ex.submit(work, 1)


def thread_pools_may_share():
    lock = threading.Lock()
    q = mp.Queue()
    with ThreadPoolExecutor() as ex:
        ex.submit(work, lock, q)
        ex.map(work, [open("x")])
    from multiprocessing.pool import ThreadPool
    with ThreadPool() as tp:
        tp.apply_async(work, (lock,))


def plain_values(xs, path):
    with Pool() as pool:
        pool.map(work, xs)
        pool.map(work, (x for x in xs))
        pool.map(work, numbers())
        pool.starmap(work, [(path, 1), ("a", 2)])
        pool.apply_async(work, (len(xs), str(path)))
        with open(path) as fh:
            pool.map(work, fh.readlines())


def socket_arg():
    # multiprocessing registers a reducer for sockets: their descriptor is duplicated across.
    s = socket.socket()
    with ProcessPoolExecutor() as ex:
        ex.submit(work, s)


def paths_appended(batches):
    paths = []
    for b in batches:
        paths.append(str(b))
    with Pool() as pool:
        pool.starmap(work, zip(paths, batches))
