"""Forks three children with a bare os.fork(): one returns normally, one raises an uncaught
exception (printed by CPython, status 1), one leaves by os._exit(3)."""
import os


def shard(n):
    total = n * 10
    if n == 1:
        raise ValueError("bad shard %d" % n)
    return total


if __name__ == "__main__":
    children = []
    for n in range(3):
        pid = os.fork()
        if pid == 0:
            shard(n)
            os._exit(3 if n == 2 else 0)
        children.append(pid)
    print("statuses", [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
                       if hasattr(os, "waitstatus_to_exitcode")
                       else os.waitpid(pid, 0)[1] >> 8 for pid in children])
