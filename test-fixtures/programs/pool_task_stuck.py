"""One task of a Pool runs far longer than the others (argv[2] seconds, a busy loop): the
others finish, the parent waits in imap_unordered.  A stall with --stall-timeout; otherwise
just a long task.  Both workers start before any task runs, and the long task starts its loop
only once the parent has every other result, so that "the others finished first" holds
however slowly the workers start."""
import multiprocessing
import sys
import time

from _common import start_method

_others_done = None


def init(event, both_up):
    global _others_done
    _others_done = event
    both_up.wait()


def crunch(n):
    if n == 3:
        _others_done.wait()
        end = time.time() + float(sys.argv[2])
        spins = 0
        while time.time() < end:
            spins += 1  # stuck here
    return n * n


if __name__ == "__main__":
    start_method()
    others_done = multiprocessing.Event()
    both_up = multiprocessing.Barrier(2)
    with multiprocessing.Pool(2, initializer=init, initargs=(others_done, both_up)) as pool:
        received = 0
        for result in pool.imap_unordered(crunch, range(6)):
            print("done", result, flush=True)
            received += 1
            if received == 5:
                others_done.set()
