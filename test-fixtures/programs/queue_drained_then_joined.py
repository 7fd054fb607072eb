"""Control for the queue deadlock: each child puts large items on a Queue and a JoinableQueue,
and the parent reads everything before it joins. Nothing hangs, nothing is reported."""
import multiprocessing

from _common import start_method


def produce(results, done, size):
    results.put(bytes(size))
    results.put(size)
    done.put(("done", size))


if __name__ == "__main__":
    start_method()
    results = multiprocessing.Queue()
    done = multiprocessing.JoinableQueue()
    sizes = [1 << 20, 300_000]
    workers = [multiprocessing.Process(target=produce, args=(results, done, s)) for s in sizes]
    for w in workers:
        w.start()
    got = [results.get() for _ in range(2 * len(sizes))]
    finished = [done.get() for _ in sizes]
    for _ in sizes:
        done.task_done()
    for w in workers:
        w.join()
    print("bytes", sorted(len(g) for g in got if isinstance(g, bytes)))
    print("sizes", sorted(g for g in got if isinstance(g, int)))
    print("done", sorted(finished), [w.exitcode for w in workers])
