"""The deadlock of CPython's guidelines ("joining processes that use queues"): the child puts
a 1 MB result on a Queue and the parent joins it before reading the queue. The child cannot
exit until the result is read; the parent waits for it to exit. Plainly, it hangs forever."""
import multiprocessing

from _common import start_method


def produce(results, size):
    rows = bytes(size)
    results.put(("header", 1))
    results.put(rows)


if __name__ == "__main__":
    start_method()
    results = multiprocessing.Queue()
    worker = multiprocessing.Process(target=produce, args=(results, 1 << 20))
    worker.start()
    worker.join()
    print("got", len(results.get()[1]), len(results.get()))
