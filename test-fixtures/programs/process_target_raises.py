"""A multiprocessing.Process target raises: CPython prints the traceback, exit code 1."""
import multiprocessing

from _common import start_method


def migrate(table, batch=50):
    remaining = table.count("x")
    raise LookupError("table %s missing (batch %d, %d)" % (table, batch, remaining))


if __name__ == "__main__":
    start_method()
    p = multiprocessing.Process(target=migrate, args=("users",), kwargs={"batch": 7},
                                name="migrator")
    p.start()
    p.join()
    print("child exit code", p.exitcode)
