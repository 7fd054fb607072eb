"""Three parallel-code bugs in one file: an unlocked shared counter, a lambda sent to a process
pool, and a program started at import time without a main guard."""
import multiprocessing as mp


def add_one(counter):
    for _ in range(1000):
        counter.value += 1


def main():
    counter = mp.Value("i", 0)
    workers = [mp.Process(target=add_one, args=(counter,)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    with mp.Pool(2) as pool:
        print(pool.map(lambda x: x * 2, range(4)))
    print("counted", counter.value)


main()
