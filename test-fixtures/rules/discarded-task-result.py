"""Fixture for discarded-task-result: positives first, then # OK negatives."""
import concurrent.futures
import logging
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed, wait
from multiprocessing import Pool
from multiprocessing.pool import ThreadPool


def convert(path):
    return path.upper()


def apply_async_in_loop(paths):
    with Pool() as pool:
        for path in paths:
            pool.apply_async(convert, (path,))  # [discarded-task-result]
          # ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ [discarded-task-result]
        pool.close()
        pool.join()


def apply_async_with_only_callback(paths, done):
    pool = mp.Pool(4)
    for path in paths:
        pool.apply_async(convert, args=(path,), callback=done.append)  # [discarded-task-result]
    pool.close()
    pool.join()


def submit_fire_and_forget(paths):
    with ThreadPoolExecutor(max_workers=4) as executor:
        for path in paths:
            executor.submit(convert, path)  # [discarded-task-result]


def process_submit(paths):
    with concurrent.futures.ProcessPoolExecutor() as ex:
        ex.submit(convert, paths[0])  # [discarded-task-result]


def map_async_dropped(paths):
    with Pool(2) as pool:
        pool.map_async(convert, paths)  # [discarded-task-result]
        pool.close()
        pool.join()


def comprehension_dropped(paths):
    with ProcessPoolExecutor() as ex:
        [ex.submit(convert, p) for p in paths]  # [discarded-task-result]


def unused_name(paths):
    with Pool() as pool:
        result = pool.starmap_async(convert, [(p,) for p in paths])  # [discarded-task-result]
        pool.close()
        pool.join()


class Uploader:
    def __init__(self):
        self.executor = ThreadPoolExecutor(2)

    def upload_all(self, items):
        for item in items:
            self.executor.submit(self.upload, item)  # [discarded-task-result]

    def upload(self, item):
        return item


def thread_pool_apply(paths):
    tp = ThreadPool(2)
    tp.apply_async(convert, (paths[0],))  # [discarded-task-result]
    tp.close()
    tp.join()

# OK


def kept_and_got(paths):
    with Pool() as pool:
        results = [pool.apply_async(convert, (p,)) for p in paths]
        return [r.get() for r in results]


def with_error_callback(paths):
    with Pool() as pool:
        for path in paths:
            pool.apply_async(convert, (path,), error_callback=logging.error)
        pool.close()
        pool.join()


def futures_collected(paths):
    with ThreadPoolExecutor() as ex:
        futures = []
        for path in paths:
            futures.append(ex.submit(convert, path))
        for fut in as_completed(futures):
            print(fut.result())


def futures_waited(paths):
    with ThreadPoolExecutor() as ex:
        fs = {ex.submit(convert, p): p for p in paths}
        wait(fs)


def done_callback(paths, on_done):
    with ThreadPoolExecutor() as ex:
        ex.submit(convert, paths[0]).add_done_callback(on_done)


def returned_future(ex, path):
    return ex.submit(convert, path)


def stored_future(self_like, ex, path):
    self_like.future = ex.submit(convert, path)


def result_read_later(path):
    with Pool() as pool:
        res = pool.apply_async(convert, (path,))
        do_other_things()
        return res.get(timeout=5)


def do_other_things():
    pass


def blocking_apply(paths):
    with Pool() as pool:
        pool.apply(convert, (paths[0],))
        pool.map(convert, paths)


def unknown_receiver(client, path):
    client.submit(convert, path)


def kwargs_may_hold_callback(path, **options):
    with Pool() as pool:
        pool.apply_async(convert, (path,), **options)
        pool.close()
        pool.join()
