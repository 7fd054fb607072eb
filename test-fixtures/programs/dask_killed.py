"""Dask workers that die with a task running: one task outgrows the worker's memory limit (the
nanny terminates the worker), another kills its own worker with SIGKILL.  One failure allowed per
task, so the client's KilledWorker comes at the first death.  Prints what the client caught."""
import os
import signal
import sys
import time

import dask
from distributed import Client, LocalCluster


def hog(step_mib):
    held = []
    for _ in range(200):  # up to 4 GB; the nanny ends it long before
        held.append(bytearray(step_mib * 1048576))
        time.sleep(0.05)
    return len(held)


def killed(x):
    os.kill(os.getpid(), signal.SIGKILL)


def main():
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with LocalCluster(n_workers=1, threads_per_worker=1, memory_limit="400MiB",
                          dashboard_address=None) as cluster, Client(cluster) as client:
            # One at a time: a task queued on a worker that dies is lost with it.
            for name, function, arg in (("hog", hog, 20), ("killed", killed, 1)):
                future = client.submit(function, arg)
                try:
                    future.result()
                except Exception as exc:  # distributed.scheduler.KilledWorker
                    print("caught", name, type(exc).__name__)
                # The nanny restarts the killed worker: closing the cluster meanwhile is a race of
                # Dask's own that can hang its shutdown.
                client.wait_for_workers(1, timeout=60)


if __name__ == "__main__":
    sys.argv[1:] = []
    main()
