"""Failing tasks whose arguments' __repr__ and whose exception's __str__ raise SystemExit
(the tracer calls them to describe the failure: nothing may escape into the program), and a
task that fails holding an authentication key (never written into the report)."""
import multiprocessing
import multiprocessing.process

from _common import start_method


class Stubborn:
    def __repr__(self):
        raise SystemExit(3)


class Unprintable(Exception):
    def __str__(self):
        raise SystemExit(4)


def parse(item):
    raise ValueError("cannot parse")


def explode(n):
    raise Unprintable(n)


def sign(message):
    authkey = multiprocessing.process.current_process().authkey
    raise PermissionError("unsigned: %s (key of %d bytes)" % (message, len(authkey)))


if __name__ == "__main__":
    start_method()
    with multiprocessing.Pool(1) as pool:
        for func, arg in ((parse, Stubborn()), (explode, 7), (sign, "hello")):
            try:
                pool.apply(func, (arg,))
            except Exception as exc:
                print("caught", type(exc).__name__)
    print("end")
