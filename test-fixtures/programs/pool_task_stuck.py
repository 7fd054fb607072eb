"""One task of a Pool runs far longer than the others (argv[2] seconds, a busy loop): the
others finish, the parent waits in imap_unordered.  A stall with --stall-timeout; otherwise
just a long task."""
import multiprocessing
import sys
import time

from _common import start_method


def crunch(n):
    if n == 3:
        end = time.time() + float(sys.argv[2])
        spins = 0
        while time.time() < end:
            spins += 1  # stuck here
    return n * n


if __name__ == "__main__":
    start_method()
    with multiprocessing.Pool(2) as pool:
        for result in pool.imap_unordered(crunch, range(6)):
            print("done", result, flush=True)
