"""imap results read only in part: the failure among the unread ones is lost, in a process
pool (imap, chunks of two) and in a ThreadPool (imap_unordered abandoned after one result)."""
import multiprocessing
from multiprocessing.pool import ThreadPool

from _common import start_method


def scan(line):
    level, message = line.split(":", 1)
    if level == "FATAL":
        raise RuntimeError("fatal entry:" + message)
    return level


def ping(host):
    if host.endswith("-3"):
        raise TimeoutError("no answer from " + host)
    return host


if __name__ == "__main__":
    start_method()
    lines = ["INFO: boot", "INFO: up", "WARN: disk", "INFO: net", "DEBUG: x", "FATAL: oops"]
    pool = multiprocessing.Pool(2)
    results = pool.imap(scan, lines, chunksize=2)
    print("head:", [next(results) for _ in range(2)])
    pool.close()
    pool.join()
    with ThreadPool(1) as threads:  # one thread: results come in order, mirror-1 first
        for host in threads.imap_unordered(ping, ["mirror-%d" % n for n in range(1, 5)]):
            if host == "mirror-1":
                break
        threads.close()
        threads.join()
