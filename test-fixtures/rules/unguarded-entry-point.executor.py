"""Fixture: executor, Manager and Process at import time; work continues to the end."""
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import Manager, Process


def job(x):
    return x


def banner():
    """Not reached from module level."""
    return "text"


executor = ProcessPoolExecutor()  # no process yet: they start at the first submit
futures = [executor.submit(job, i) for i in range(3)]  # [unguarded-entry-point]
manager = Manager()  # [unguarded-entry-point]
shared = manager.dict()
text = """a
multi-line string
"""
p = Process(target=job, args=(1,))
p.start()  # [unguarded-entry-point]
p.join()
