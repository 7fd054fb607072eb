"""A pool task and a loop in the main process, for breakpoints (argv[1]: the start method)."""
import multiprocessing as mp
import sys
import threading


def square(x):
    y = x * x  # BREAK square
    return y


def count_in_thread(out):
    n = 0
    for step in range(3):
        n += step  # BREAK thread
    out.append(n)


def main():
    method = sys.argv[1] if len(sys.argv) > 1 else "fork"
    with mp.get_context(method).Pool(2) as pool:
        print("squares", sum(pool.map(square, range(4))))
    out = []
    worker = threading.Thread(target=count_in_thread, args=(out,), name="Counter")
    worker.start()
    worker.join()

    total = 0
    for i in range(3):
        total += i  # BREAK main
    print("total", total, out[0])  # BREAK log


if __name__ == "__main__":
    main()
