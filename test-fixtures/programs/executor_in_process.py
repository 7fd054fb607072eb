"""A Process runs its own ProcessPoolExecutor whose task raises (nested process tree)."""
import concurrent.futures
import multiprocessing

from _common import start_method


def tokenize(text):
    words = text.split()
    return words[5]


def stage(method):
    ctx = multiprocessing.get_context(method)
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=ctx) as ex:
        try:
            ex.submit(tokenize, "too short").result()
        except IndexError as exc:
            print("inner failure:", exc, flush=True)


if __name__ == "__main__":
    method = start_method()
    p = multiprocessing.Process(target=stage, args=(method,))
    p.start()
    p.join()
    print("stage exit", p.exitcode)
