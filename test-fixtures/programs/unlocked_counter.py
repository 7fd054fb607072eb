"""Workers increment a shared Value without its lock (lost updates); a locked one is fine."""
import multiprocessing

from _common import start_method


def bump(counter, safe, n):
    for _ in range(n):
        counter.value += 1
        with safe.get_lock():
            safe.value += 1


if __name__ == "__main__":
    start_method()
    counter = multiprocessing.Value("i", 0)
    safe = multiprocessing.Value("i", 0)
    procs = [multiprocessing.Process(target=bump, args=(counter, safe, 200)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print("safe", safe.value)
