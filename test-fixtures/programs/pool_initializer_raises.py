"""A Pool whose initializer raises in every worker: CPython replaces each dead worker
forever and map() never returns."""
import multiprocessing

from _common import start_method


def open_connection(settings):
    raise ConnectionError("database %s refused the connection" % settings["host"])


def score(row):
    return row * 2


if __name__ == "__main__":
    start_method()
    with multiprocessing.Pool(2, initializer=open_connection,
                              initargs=({"host": "db-3"},)) as pool:
        print(pool.map(score, range(8)))
