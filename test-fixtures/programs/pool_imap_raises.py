"""Pool.imap over a generator (chunksize 2): element 4 raises KeyError while iterating."""
import multiprocessing

from _common import start_method


def lookup(key):
    table = {k: k * k for k in range(10) if k != 4}
    return table[key]


def keys():
    for k in range(8):
        yield k


if __name__ == "__main__":
    start_method()
    with multiprocessing.Pool(2) as pool:
        out = []
        try:
            for value in pool.imap(lookup, keys(), chunksize=2):
                out.append(value)
        except KeyError as exc:
            print("imap failed at key", exc, "after", out)
