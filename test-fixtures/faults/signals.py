"""Starts a pool, says "ready", then waits (at most 60 s) for STOPFILE to appear. With
HANDLED (a comma-separated list of signal names) the main process prints each of those
signals it receives instead of taking the default action. Usage: STOPFILE [HANDLED]."""
import multiprocessing
import os
import signal
import sys
import time


def noted(signum, _frame):
    print("got", signal.Signals(signum).name, flush=True)


if __name__ == "__main__":
    stop = sys.argv[1]
    with multiprocessing.Pool(2) as pool:
        print("squares", pool.map(abs, range(-3, 3)), flush=True)
        # Installed after the workers started: a worker terminated at exit prints nothing.
        for name in (sys.argv[2].split(",") if len(sys.argv) > 2 else []):
            signal.signal(getattr(signal, name), noted)
        print("ready", flush=True)
        deadline = time.monotonic() + 60
        while not os.path.exists(stop) and time.monotonic() < deadline:
            time.sleep(0.02)
    print("end", flush=True)
