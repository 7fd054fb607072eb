"""Pool(1): its only worker is killed while idle, waiting for a task with the task queue's read
lock held. The replacement can never take that lock, so the next map waits forever (gh-66587)."""
import multiprocessing
import os
import platform
import signal
import time

from _common import start_method

READ_SYSCALL = {"x86_64": "0", "aarch64": "63"}.get(platform.machine())


def waiting_for_a_task(pid):
    """Blocked reading the task pipe (inside the queue's read lock), per /proc."""
    try:
        with open("/proc/%d/syscall" % pid) as f:
            return f.read().split()[0] == READ_SYSCALL
    except (OSError, IndexError):
        return False


if __name__ == "__main__":
    start_method()
    with multiprocessing.Pool(1) as pool:
        pid = pool.apply(os.getpid)
        deadline = time.monotonic() + 30
        while not waiting_for_a_task(pid) and time.monotonic() < deadline:
            time.sleep(0.005)
        os.kill(pid, signal.SIGKILL)
        print(pool.map(abs, range(4)))
