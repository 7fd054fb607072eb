"""Forks four children with a bare os.fork(): one returns normally, one raises an uncaught
exception (printed by CPython, status 1), one leaves by os._exit(3) (a status, no failure),
and one whose exception is silenced by os._exit(0) in a finally clause."""
import os


def shard(n):
    total = n * 10
    if n in (1, 3):
        raise ValueError("bad shard %d" % n)
    return total


if __name__ == "__main__":
    children = []
    for n in range(4):
        pid = os.fork()
        if pid == 0:
            if n == 3:
                try:
                    shard(n)
                finally:
                    os._exit(0)
            shard(n)
            os._exit(3 if n == 2 else 0)
        children.append(pid)
    statuses = []
    for pid in children:
        status = os.waitpid(pid, 0)[1]
        statuses.append(os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status))
    print("statuses", statuses)
