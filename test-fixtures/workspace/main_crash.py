"""The pool does its work, then the main process fails: the debugger stops where it raised."""
import multiprocessing


def square(x):
    return x * x


def average(results):
    limits = {"max": 100}
    return sum(results) / limits["min"]


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        results = pool.map(square, range(5))
    print(average(results))
