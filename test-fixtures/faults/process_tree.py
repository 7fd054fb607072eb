"""Builds a tree that no process group holds: pool workers, a Process child that makes
itself a session leader, and a daemon it double-forks (reparented to init). Prints every
pid on one line ("pids ..."), then waits to be ended (at most 60 s)."""
import multiprocessing
import os
import time


def nap(_):
    time.sleep(60)


def daemonize(queue):
    os.setsid()
    if os.fork() == 0:
        queue.put(os.getpid())
        time.sleep(60)
        os._exit(0)
    time.sleep(60)


if __name__ == "__main__":
    queue = multiprocessing.Queue()
    child = multiprocessing.Process(target=daemonize, args=(queue,))
    child.start()
    daemon = queue.get(timeout=60)
    with multiprocessing.Pool(2) as pool:
        pool.map_async(nap, range(2))
        workers = [p.pid for p in multiprocessing.active_children() if p.pid != child.pid]
        print("pids", os.getpid(), child.pid, daemon, *workers, flush=True)
        time.sleep(60)
