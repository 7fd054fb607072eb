"""A program with its own threading.excepthook: the thread's exception is still reported."""
import sys
import threading


def hook(args):
    print("custom hook saw", args.exc_type.__name__, "in", args.thread.name, file=sys.stderr)


def load(items):
    return items["missing"]


if __name__ == "__main__":
    threading.excepthook = hook
    loader = threading.Thread(target=load, args=({"a": 1},), name="loader-7")
    loader.start()
    loader.join()
    print("main done")
