"""Failing futures: one swallowed, others retrieved via exception(), a done-callback and wait()."""
import concurrent.futures
import multiprocessing

from _common import start_method


def upload(path):
    if path.endswith(".tmp"):
        raise PermissionError("cannot upload %s" % path)
    return path


def on_done(fut):
    fut.exception()


if __name__ == "__main__":
    ctx = multiprocessing.get_context(start_method())
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=ctx) as ex:
        lost = ex.submit(upload, "a.tmp")
        by_callback = ex.submit(upload, "b.tmp")
        by_callback.add_done_callback(on_done)
        by_wait = ex.submit(upload, "c.tmp")
        ok = ex.submit(upload, "d.txt")
        done, _ = concurrent.futures.wait([lost, by_callback, by_wait, ok])
        print("wait error:", type(by_wait.exception()).__name__)
        print("ok:", ok.result())
