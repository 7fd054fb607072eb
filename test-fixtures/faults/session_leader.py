"""Reports whether it leads its process group or session, then becomes a session leader
itself (os.setsid fails with EPERM in a process group leader), as a daemon would; a Process
child does the same."""
import multiprocessing
import os


def detach(tag):
    print(tag, "group leader:", os.getpgrp() == os.getpid(), flush=True)
    os.setsid()
    print(tag, "session leader now:", os.getsid(0) == os.getpid(), flush=True)


if __name__ == "__main__":
    detach("main")
    child = multiprocessing.Process(target=detach, args=("child",))
    child.start()
    child.join()
    print("child exit", child.exitcode)
