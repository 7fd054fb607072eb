"""Fixture for join-before-drain: positives first, then # OK negatives."""
import multiprocessing
import multiprocessing as mp
from multiprocessing import Manager, Process, Queue


def produce(q, n):
    q.put([0] * n)


def produce_many(out_q, items):
    for item in items:
        out_q.put(item * 2)
    out_q.put(None)


def single():
    q = mp.Queue()
    p = mp.Process(target=produce, args=(q, 1_000_000))
    p.start()
  # ^^^^^^^^ [join-before-drain]
    data = q.get()
    p.join()  # [join-before-drain]
    return data


def many(chunks):
    results = Queue()
    procs = []
    for chunk in chunks:
        proc = Process(target=produce_many, args=(results, chunk))
        proc.start()
        procs.append(proc)
    out = []
    while not results.empty():
        out.append(results.get())
    for proc in procs:
        proc.join()  # [join-before-drain]
    return out


def comprehension_procs(chunks):
    q = multiprocessing.Queue()
    workers = [Process(target=produce_many, args=(q, c)) for c in chunks]
    for w in workers:
        w.start()
    for w in workers:
        w.join()  # [join-before-drain]
    return [q.get() for _ in workers]


def keyword_args():
    q = mp.SimpleQueue()
    p = mp.Process(target=produce, kwargs={"q": q, "n": 10})
    p.start()
    print(q.get())
    p.join()  # [join-before-drain]


if __name__ == "__main__":
    queue = Queue()
    worker = Process(target=produce, args=(queue, 5))
    worker.start()
    print(queue.get())
    worker.join()  # [join-before-drain]

class Loader(mp.Process):
    def __init__(self, q):
        super().__init__()
        self.q = q

    def run(self):
        self.q.put([0] * 1_000_000)


def subclass_joined_first():
    q = mp.Queue()
    loader = Loader(q)
    loader.start()
    loader.join()  # [join-before-drain]
    return q.get()


def joined_without_timeout():
    q = mp.Queue()
    p = mp.Process(target=produce, args=(q, 10))
    p.start()
    p.join(timeout=None)  # [join-before-drain]
    return q.get()


# OK


def drained_first():
    q = mp.Queue()
    p = mp.Process(target=produce, args=(q, 100))
    p.start()
    data = q.get()
    p.join()
    return data


def drain_all_then_join(chunks):
    q = mp.Queue()
    procs = [mp.Process(target=produce_many, args=(q, c)) for c in chunks]
    for p in procs:
        p.start()
    done = 0
    while done < len(procs):
        if q.get() is None:
            done += 1
    for p in procs:
        p.join()


def no_put(n):
    return n * 2


def join_non_producer():
    q = mp.Queue()
    p = mp.Process(target=no_put, args=(3,))
    p.start()
    p.join()
    return q.get() if not q.empty() else None


def manager_queue():
    with Manager() as m:
        q = m.Queue()
        p = Process(target=produce, args=(q, 10))
        p.start()
        p.join()
        return q.get()


def cancelled():
    q = mp.Queue()
    q.cancel_join_thread()
    p = mp.Process(target=produce, args=(q, 10))
    p.start()
    p.join()
    return q.get()


def join_with_timeout():
    q = mp.Queue()
    p = mp.Process(target=produce, args=(q, 10))
    p.start()
    p.join(timeout=5)
    return q.get()


def thread_queue():
    import queue
    import threading
    q = queue.Queue()
    t = threading.Thread(target=produce, args=(q, 10))
    t.start()
    t.join()
    return q.get()


def subclass_drained_first():
    q = mp.Queue()
    loader = Loader(q)
    loader.start()
    data = q.get()
    loader.join()
    return data


def joined_with_timeout():
    q = mp.Queue()
    p = mp.Process(target=produce, args=(q, 10))
    p.start()
    p.join(timeout=5)
    return q.get()
