"""Counts in four processes through a shared Value without its lock: updates are lost."""
from multiprocessing import Process, Value


def work(counter, n):
    for _ in range(n):
        counter.value += 1


if __name__ == "__main__":
    counter = Value("i", 0)
    workers = [Process(target=work, args=(counter, 10_000)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print("expected 40000, got", counter.value)
