"""Fixture: guarded in every spelling, threads, fork, functions never called."""
import multiprocessing as mp
import threading
from concurrent.futures import ThreadPoolExecutor, ProcessPoolExecutor
from multiprocessing.dummy import Pool as ThreadBackedPool
from multiprocessing.pool import ThreadPool


def work(x):
    return x


def make_pool():
    return mp.Pool()


def never_called():
    with ProcessPoolExecutor() as ex:
        ex.map(work, range(3))


class Holder:
    def start(self):
        mp.Process(target=work, args=(1,)).start()


# OK
shared_executor = ProcessPoolExecutor()  # starts no process until its first submit
threads = ThreadPoolExecutor()
tp = ThreadPool(2)
dp = ThreadBackedPool(2)
t = threading.Thread(target=work, args=(1,))
t.start()
fork_pool = mp.get_context("fork").Pool()
handler = lambda: mp.Pool()  # noqa: E731

if __name__ == "__main__":
    with mp.Pool() as pool:
        pool.map(work, range(3))
    print(list(shared_executor.map(work, range(3))))

if '__main__' == __name__:
    mp.Process(target=work, args=(1,)).start()

if (__name__ == '__main__'):
    make_pool()

if __name__ == "__main__" and True:
    never_called()
