"""A join with a timeout is no deadlock: the child cannot exit until its 1 MB result is read,
the parent's join(timeout=3) returns with the child still running, and the parent then reads
the result and joins again. The child's exit waits 3 s for its queue, then ends normally."""
import multiprocessing

from _common import start_method


def produce(results):
    results.put(bytes(1 << 20))


if __name__ == "__main__":
    start_method()
    results = multiprocessing.Queue()
    worker = multiprocessing.Process(target=produce, args=(results,))
    worker.start()
    worker.join(timeout=3.0)
    print("alive after join(timeout):", worker.is_alive())
    print("got", len(results.get()))
    worker.join()
    print("exit code", worker.exitcode)
