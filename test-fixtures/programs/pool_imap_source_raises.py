"""imap over a generator that raises in the parent: no task of any worker failed."""
import multiprocessing

from _common import start_method


def ident(x):
    return x


def rows():
    yield 1
    yield 2
    raise RuntimeError("row source broke")


if __name__ == "__main__":
    ctx = multiprocessing.get_context(start_method())
    with ctx.Pool(2) as pool:
        try:
            print(list(pool.imap(ident, rows())))
        except RuntimeError as exc:
            print("source failed:", exc)
        print(pool.map(ident, range(3)))
