"""A pool task fires uploads at a ThreadPoolExecutor and never looks at them; the pool is
left with `with`, which terminates its workers (no exit handler runs in them). A daemon
monitor is left running and ended by multiprocessing at exit: no failure. The pool replaces
each worker after one task, from its handler thread: a task failing in a replacement worker
is still in that worker's main thread."""
import concurrent.futures
import multiprocessing
import time

from _common import start_method


def upload_thumbnail(name, size):
    raise ConnectionError("upload of %s (%d bytes) refused" % (name, size))


def make_thumbnails(name):
    with concurrent.futures.ThreadPoolExecutor(1) as uploads:
        uploads.submit(upload_thumbnail, name, 1024)
    return name


def check_name(name):
    if not name.endswith(".png"):
        raise ValueError("not a png: " + name)
    return name


def monitor(interval):
    while True:
        time.sleep(interval)


if __name__ == "__main__":
    start_method()
    multiprocessing.Process(target=monitor, args=(0.05,), daemon=True, name="monitor").start()
    with multiprocessing.Pool(1, maxtasksperchild=1) as pool:
        print(pool.map(make_thumbnails, ["cat.png"]))
        try:
            pool.apply(check_name, ("dog.gif",))
        except ValueError as exc:
            print("rejected:", exc)
