"""A pool worker dereferences NULL through ctypes (SIGSEGV) in apply_async; the pool hangs."""
import ctypes
import multiprocessing

from _common import start_method


def parse_blob(size):
    header = size + 1
    return ctypes.string_at(0)[:header]  # strlen(NULL): SIGSEGV


if __name__ == "__main__":
    start_method()
    with multiprocessing.Pool(2) as pool:
        print(pool.apply(parse_blob, (16,)))
