"""A Process subclass whose run() raises, and a Process target killed by a signal."""
import multiprocessing
import os
import signal

from _common import start_method


class Ingest(multiprocessing.Process):
    def __init__(self, source):
        super().__init__(name="Ingest-" + source)
        self.source = source

    def run(self):
        fetched = 2
        raise OSError("source %s unreachable after %d lines" % (self.source, fetched))


def exhaust_memory(limit_mb):
    os.kill(os.getpid(), signal.SIGKILL)  # what the kernel's OOM killer does


if __name__ == "__main__":
    start_method()
    ingest = Ingest("s3")
    ingest.start()
    ingest.join()
    hog = multiprocessing.Process(target=exhaust_memory, args=(512,), name="Hog")
    hog.start()
    hog.join()
    print("exit codes", ingest.exitcode, hog.exitcode)
