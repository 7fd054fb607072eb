"""A ProcessPoolExecutor whose initializer raises: the executor breaks, and CPython only
logs the initializer's exception in each worker."""
import concurrent.futures
import multiprocessing

from _common import start_method


def load_model(path):
    weights = {"layers": 3}
    raise FileNotFoundError("no model at %s (%d layers expected)" % (path, weights["layers"]))


def predict(x):
    return x + 1


if __name__ == "__main__":
    context = multiprocessing.get_context(start_method())
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=context, initializer=load_model,
                                                initargs=("/models/m.bin",)) as executor:
        try:
            print(list(executor.map(predict, range(4))))
        except concurrent.futures.process.BrokenProcessPool as exc:
            print("broken:", type(exc).__name__)
