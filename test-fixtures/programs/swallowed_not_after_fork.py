"""A failed future retrieved late: a process forked while it was still unretrieved must not report it as swallowed."""
import concurrent.futures
import multiprocessing

from _common import start_method


def convert(path):
    raise ValueError("cannot convert %s" % path)


def refresh_index():
    pass


if __name__ == "__main__":
    ctx = multiprocessing.get_context(start_method())
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=ctx) as ex:
        future = ex.submit(convert, "scan.tiff")
        concurrent.futures.wait([future])
        indexer = ctx.Process(target=refresh_index)
        indexer.start()
        indexer.join()
        print("convert failed:", future.exception())
