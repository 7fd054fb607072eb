"""A Dask LocalCluster whose tasks fail: one raises, one ends its worker with os._exit(3).

Dask starts its worker processes with spawn whatever the argument says; the argument is taken
for the same command line as the other programs.  The program catches both failures, as a
real one would, and prints what it caught: the tracer must not change that output.
"""
import os
import sys

from distributed import Client, LocalCluster


def divide(x):
    return x / 0


def leave(code):
    os._exit(code)


def main():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        raised = client.submit(divide, 7)
        try:
            raised.result()
        except ZeroDivisionError as exc:
            print("caught", type(exc).__name__)
        squares = client.map(pow, [1, 2, 3], [2, 2, 2])
        print("squares", client.gather(squares))
        lost = client.submit(leave, 3)
        try:
            lost.result()
        except Exception as exc:  # distributed.scheduler.KilledWorker
            print("caught", type(exc).__name__)
        # The nannies restart the workers the task ended: closing the cluster while they do is
        # a race of Dask's own that can hang its shutdown.
        client.wait_for_workers(2, timeout=60)


if __name__ == "__main__":
    sys.argv[1:] = []
    main()
