"""Reads a name with input(), squares numbers in a pool and exits with status 3: run in a terminal
(launch attribute `console`). argv[1]: "wait" blocks in a pool task after the answer (for Stop
and a closed terminal), "die" ends the program with SIGTERM after it."""
import multiprocessing
import os
import signal
import sys
import time


def square(x):
    y = x * x  # BREAK square
    return y


def wait_forever(_):
    os.write(1, b"worker %d\n" % os.getpid())  # one write: the two workers print at once
    while True:
        time.sleep(0.1)


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    try:
        name = input("name? ")
    except EOFError:  # the Debug Console has no input
        name = "nobody"
    print("main", os.getpid(), "parent", os.getppid(), flush=True)
    with multiprocessing.get_context("fork").Pool(2) as pool:
        if mode == "wait":
            pool.map(wait_forever, range(2))
        total = sum(pool.map(square, range(4)))
    print("hello %s, total %d" % (name, total), flush=True)
    if mode == "die":
        os.kill(os.getpid(), signal.SIGTERM)
    sys.exit(3)
