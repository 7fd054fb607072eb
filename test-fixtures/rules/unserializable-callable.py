"""Fixture for unserializable-callable: positives first, then # OK negatives."""
import functools
import multiprocessing
import multiprocessing as mp
from concurrent import futures
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from multiprocessing import Pool as P, Process
from multiprocessing.pool import Pool as RawPool, ThreadPool

import joblib
from joblib import Parallel, delayed


def square(x):
    return x * x


class Worker:
    def run(self, x):
        return x


def lambda_to_pool():
    with mp.Pool() as pool:
        pool.map(lambda x: x * 2, range(10))  # [unserializable-callable]
        #        ^^^^^^^^^^^^^^^ [unserializable-callable]


def lambda_to_aliased_pool(xs):
    with P(4) as pool:
        return pool.imap_unordered(lambda x: x + 1, xs)  # [unserializable-callable]


def lambda_captures_local(xs, k):
    pool = multiprocessing.Pool()
    result = pool.map(lambda x: x * k, xs)  # [unserializable-callable]
    pool.close()
    return result


def nested_to_executor(xs):
    def inner(x):
        return x + 1

    with ProcessPoolExecutor(max_workers=2) as ex:
        return list(ex.map(inner, xs))  # [unserializable-callable]


def nested_submit(xs):
    def helper(x):
        return x - 1

    with futures.ProcessPoolExecutor() as ex:
        return [ex.submit(helper, x) for x in xs]  # [unserializable-callable]


def qualified_executor():
    import concurrent.futures
    with concurrent.futures.ProcessPoolExecutor() as ex:
        ex.submit(lambda: 1)  # [unserializable-callable]


def context_pool(xs):
    ctx = mp.get_context("spawn")
    with ctx.Pool(2) as pool:
        pool.starmap(lambda a, b: a + b, xs)  # [unserializable-callable]


def inline_context_pool(xs):
    with mp.get_context("forkserver").Pool() as pool:
        pool.apply_async(lambda: None)  # [unserializable-callable]


def fork_context_pool_still_pickles(xs):
    with mp.get_context("fork").Pool() as pool:
        pool.map(lambda x: x, xs)  # [unserializable-callable]


def raw_pool_class(xs):
    pool = RawPool()
    pool.apply(lambda: 0)  # [unserializable-callable]


def lambda_in_variable(xs):
    double = lambda x: 2 * x  # noqa: E731
    with mp.Pool() as pool:
        pool.map(double, xs)  # [unserializable-callable]


def partial_of_nested(xs):
    def add(a, b):
        return a + b

    with mp.Pool() as pool:
        pool.map(partial(add, 1), xs)  # [unserializable-callable]
        pool.map(functools.partial(lambda a, b: a, 2), xs)  # [unserializable-callable]


def local_class(xs):
    class Local:
        def __call__(self, x):
            return x

        def method(self, x):
            return x

    with mp.Pool() as pool:
        pool.map(Local(), xs)  # [unserializable-callable]
        pool.map(Local().method, xs)  # [unserializable-callable]
        pool.apply(Local)  # [unserializable-callable]


def process_target_lambda():
    p = Process(target=lambda: print("hi"))  # [unserializable-callable]
    p.start()
    p.join()


def process_target_nested():
    def run():
        pass

    p = mp.Process(target=run, name="child")  # [unserializable-callable]
    p.start()


def ctx_process_nested():
    ctx = mp.get_context("spawn")

    def run():
        pass

    ctx.Process(target=run).start()  # [unserializable-callable]


def initializer_lambda(xs):
    with mp.Pool(2, initializer=lambda: None) as pool:  # [unserializable-callable]
        pool.map(square, xs)
    with ProcessPoolExecutor(initializer=lambda: None) as ex:  # [unserializable-callable]
        ex.map(square, xs)


def pool_as_parameter(pool, xs):
    return pool.map(lambda x: x, xs)  # [unserializable-callable]


def calls_pool_as_parameter(xs):
    with mp.Pool() as pool:
        pool_as_parameter(pool, xs)


def callable_via_parameter(fn, xs):
    with mp.Pool() as pool:
        return pool.map(fn, xs)  # [unserializable-callable]


def passes_lambda(xs):
    return callable_via_parameter(lambda x: x, xs)


class Service:
    def __init__(self):
        self.pool = mp.Pool()

    def run(self, xs):
        return self.pool.map(lambda x: x, xs)  # [unserializable-callable]


async def run_in_executor(loop, xs):
    with ProcessPoolExecutor() as ex:
        return await loop.run_in_executor(ex, lambda: 1)  # [unserializable-callable]


class Hasher:
    def __init__(self):
        self.executor = ProcessPoolExecutor(2)

    def digest(self, data):
        return hash(data)

    def digest_all(self, blobs):
        return list(self.executor.map(self.digest, blobs))  # [unserializable-callable]


class Crawler:
    def __init__(self, lock):
        self.lock = lock

    def fetch(self, url):
        return url


def crawl(urls):
    crawler = Crawler(mp.Lock())
    with P() as pool:
        return pool.map(crawler.fetch, urls)  # [unserializable-callable]


class Scheduler:
    def __init__(self):
        self.pool = P(2)

    def tick(self):
        pass

    def start_ticker(self):
        ctx = mp.get_context("spawn")
        ctx.Process(target=self.tick).start()  # [unserializable-callable]


def logged(fn):
    def wrapper(*args):
        return fn(*args)
    return wrapper


@logged
def logged_square(x):
    return x * x


def map_logged(xs):
    with P() as pool:
        return pool.map(logged_square, xs)  # [unserializable-callable]


# OK

def module_function(xs):
    with mp.Pool() as pool:
        pool.map(square, xs)
        pool.map(abs, xs)
        pool.map(str.upper, ["a"])
        pool.map(partial(square), xs)
        pool.map(Worker().run, xs)
        w = Worker()
        pool.map(w.run, xs)
        pool.apply_async(Worker)
        import operator
        pool.map(operator.itemgetter(0), [(1,)])


def thread_pools(xs):
    with ThreadPoolExecutor() as ex:
        ex.map(lambda x: x, xs)
        ex.submit(lambda: 1)

    def inner(x):
        return x

    with ThreadPool(2) as tp:
        tp.map(inner, xs)
    import multiprocessing.dummy
    with multiprocessing.dummy.Pool() as dp:
        dp.map(lambda x: x, xs)
    from multiprocessing.dummy import Pool as DummyPool
    DummyPool().map(lambda x: x, xs)
    import threading
    threading.Thread(target=lambda: None).start()
    threading.Thread(target=inner, args=(1,)).start()


def cloudpickle_pools(xs):
    Parallel(n_jobs=2)(delayed(lambda x: x)(x) for x in xs)
    joblib.Parallel(n_jobs=2)(joblib.delayed(square)(x) for x in xs)
    import multiprocess
    with multiprocess.Pool() as pool:
        pool.map(lambda x: x, xs)
    from pathos.multiprocessing import ProcessingPool
    ProcessingPool().map(lambda x: x, xs)
    from loky import get_reusable_executor
    get_reusable_executor().submit(lambda: 1)


def fork_process_target():
    ctx = mp.get_context("fork")

    def run():
        pass

    ctx.Process(target=run).start()
    with ctx.Pool(initializer=lambda: None) as pool:
        pool.map(square, [1])


def lambda_called_in_task(xs):
    with mp.Pool() as pool:
        pool.map(square, map(lambda x: x + 1, xs))
        pool.map(square, [f(1) for f in [lambda x: x]])
        sorted(xs, key=lambda x: -x)


def not_a_pool(xs):
    class Fake:
        def map(self, fn, it):
            return [fn(i) for i in it]

    Fake().map(lambda x: x, xs)
    list(map(lambda x: x, xs))
    result = {}
    result.update(lambda: 1)


def process_never_started():
    proc = mp.Process(target=lambda: None)
    return proc.name


def name_rebound_to_a_thread_pool(xs):
    def inner(x):
        return x + 1

    with ProcessPoolExecutor() as ex:
        ex.submit(square, 1)
    with ThreadPoolExecutor() as ex:
        ex.submit(inner, 1)
    for ex in [ThreadPoolExecutor()]:
        ex.submit(inner, 2)


if __name__ == "__main__":
    # A module-level name rebound from a pickle pool to a dill-based one: the second binding counts.
    import multiprocess as mpx

    with mp.Pool() as rebound:
        rebound.map(square, range(3))
    with mpx.Pool() as rebound:
        rebound.map(lambda x: x, range(3))


class PicklesItself:
    def __init__(self):
        self.pool = P(2)

    def __getstate__(self):
        return {}

    def work(self, x):
        return x

    def run(self, xs):
        return self.pool.map(self.work, xs)


class PlainConfig:
    def __init__(self, scale):
        self.scale = scale

    def apply(self, x):
        return x * self.scale


def plain_bound_method(xs):
    with P() as pool:
        return pool.map(PlainConfig(2).apply, xs)


class QueueWorker:
    # A Process target is pickled while the process starts: its multiprocessing queue and
    # lock are inherited, as with Process(args=...).
    def __init__(self):
        self.queue = mp.JoinableQueue()
        self.output_lock = mp.Lock()

    def child(self):
        self.queue.get()

    def start(self):
        mp.get_context("spawn").Process(target=self.child).start()


def retry(times):
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args):
            return fn(*args)
        return wrapper
    return decorate


@retry(3)
def retried_square(x):
    return x * x


def map_retried(xs):
    with P() as pool:
        return pool.map(retried_square, xs)


def process_built_but_never_started():
    # Never started: nothing is pickled, so nothing fails.
    mp.Process(target=lambda: None)
    unused = mp.Process(target=lambda: None)
    unused.name = "idle"


def process_only_looked_at():
    # Asserted and printed, never started: nothing is pickled.
    checked = mp.Process(target=lambda: None)
    assert checked
    print(checked)
