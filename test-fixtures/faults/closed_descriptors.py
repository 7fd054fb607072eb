"""Has a thread fail, closes every descriptor above stderr (as a daemon does), then opens a file of
its own (which gets the lowest number, one the tracer's channel had) and has pool workers
write to it: forked workers through the inherited descriptor, the others by path.
Usage: OUT METHOD."""
import multiprocessing
import os
import sys
import threading

OUT = sys.argv[1]
FD = -1


def doomed():
    raise RuntimeError("a thread failed before the descriptors were closed")


def work(i):
    line = ("worker %d\n" % i).encode()
    if FD >= 0:
        os.write(FD, line)  # inherited through fork
    else:
        with open(OUT, "ab") as f:
            f.write(line)
    return i * i


if __name__ == "__main__":
    method = sys.argv[2]
    # A thread fails first: the tracer records it (its channel is open from then on), and
    # closing every descriptor afterwards breaks nothing of the program's (no pipe, no tracker).
    failing = threading.Thread(target=doomed)
    failing.start()
    failing.join()
    # join() returns before the OS thread has finished exiting; glibc may still be opening
    # libgcc_s for its pthread_exit, and closing that descriptor under it aborts the process
    # (plain or traced): wait until this is the only thread left.
    while len(os.listdir("/proc/self/task")) > 1:
        threading.Event().wait(0.001)
    os.closerange(3, 1024)
    FD = os.open(OUT, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.write(FD, b"main start\n")
    with multiprocessing.get_context(method).Pool(2) as pool:
        print(pool.map(work, range(6), chunksize=1))
    os.write(FD, b"main end\n")
    os.close(FD)
