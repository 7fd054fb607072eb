"""multiprocessing.Queue and JoinableQueue behave as plainly under the tracer (which notes
where items are put and watches a queue's flush at exit): what put raises and the traceback
printed for it, signatures, a queue freed as soon as it is dropped, items released once
sent, and a child whose large item is read before it is joined."""
import gc
import inspect
import multiprocessing
import queue
import re
import traceback
import weakref

from _common import start_method


class Item:
    pass


def show_error(what, call):
    try:
        call()
    except Exception as exc:
        message = re.sub(r"0x[0-9a-f]+", "0x?", str(exc))
        frames = [(f.name, f.filename.rsplit("/", 1)[-1])
                  for f in traceback.extract_tb(exc.__traceback__)]
        print(what, type(exc).__name__, message, frames)


def child(results, jobs, size):
    results.put_nowait(bytes(size))
    jobs.put(("done", size))


if __name__ == "__main__":
    start_method()
    q = multiprocessing.Queue(maxsize=1)
    for name in ("put", "put_nowait", "_finalize_join", "_start_thread"):
        print(name, inspect.signature(getattr(multiprocessing.queues.Queue, name)))
    print("joinable put", inspect.signature(multiprocessing.queues.JoinableQueue.put))
    q.put("first")
    show_error("full", lambda: q.put("second", block=False))
    show_error("full timeout", lambda: q.put("second", timeout=0.01))
    show_error("no item", lambda: q.put())
    show_error("bad keyword", lambda: q.put(1, blocking=False))
    print("got", q.get())
    q.close()
    show_error("closed", lambda: q.put(1))
    q.join_thread()

    item_q = multiprocessing.Queue()
    item = Item()
    item_ref = weakref.ref(item)
    item_q.put(item)
    del item
    print("item back", type(item_q.get()).__name__)
    print("item released", item_ref() is None)
    gc.disable()
    queue_ref = weakref.ref(item_q)
    del item_q
    print("queue freed without a collection", queue_ref() is None)
    gc.enable()

    results, jobs = multiprocessing.Queue(), multiprocessing.JoinableQueue()
    worker = multiprocessing.Process(target=child, args=(results, jobs, 500_000))
    worker.start()
    print("child result", len(results.get()), jobs.get())
    jobs.task_done()
    jobs.join()
    worker.join()
    print("child exit", worker.exitcode)
    show_error("empty", lambda: results.get(timeout=0.01))
    print("is queue.Empty", issubclass(queue.Empty, Exception))
