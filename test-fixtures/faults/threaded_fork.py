"""Forks while another thread runs: from Python 3.12 os.fork() warns (DeprecationWarning)
at the line that called it, which is shown because that line is in __main__."""
import os
import threading
import time

napper = threading.Thread(target=time.sleep, args=(0.3,))
napper.start()
pid = os.fork()
if pid == 0:
    os._exit(0)
os.waitpid(pid, 0)
napper.join()
print("forked", pid > 0)
