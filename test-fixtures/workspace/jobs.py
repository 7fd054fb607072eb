"""Task functions that run_jobs.py sends to a process pool."""


def double(x):
    return x * 2


work = lambda x: x * 2  # noqa: E731
