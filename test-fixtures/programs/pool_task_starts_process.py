"""A pool task starts a Process of its own: daemonic workers may not, and the traceback the
parent prints is CPython's own (no tracer frames), as are the reported frames."""
import multiprocessing

from _common import start_method


def compress(path):
    return path + ".gz"


def archive(path):
    helper = multiprocessing.Process(target=compress, args=(path,))
    helper.start()
    return path


if __name__ == "__main__":
    start_method()
    with multiprocessing.Pool(1) as pool:
        print(pool.map(archive, ["a.log"]))
