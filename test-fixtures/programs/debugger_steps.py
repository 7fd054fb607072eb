"""Stepping, pausing, exception stops and the Debug Console, for the debugger's tests
(argv[1]: what to do, argv[2]: the start method)."""
import multiprocessing as mp
import sys
import time


def helper(v):
    doubled = v * 2  # BREAK helper-first
    return doubled + 1


def task(x):
    a = x + 1  # BREAK task-first
    b = helper(a)  # BREAK task-call
    c = a + b  # BREAK task-after-call
    return c


def pool_steps(method):
    # One worker: the task after the stopped one runs in the same worker thread.
    with mp.get_context(method).Pool(1) as pool:
        print("results", pool.map(task, range(3), 1))


def uncaught():
    settings = {"retries": 3}
    return settings["timeout"]  # BREAK raise


def raised():
    try:
        int("not a number")  # BREAK caught
    except ValueError:
        print("handled")
    return 0


def spin():
    counter = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # BREAK spin
        counter += 1
        if counter % 1000 == 0 and stop_file_exists():
            break
    print("spun", counter > 0)


def stop_file_exists():
    import os
    return os.path.exists(sys.argv[3]) if len(sys.argv) > 3 else False


def console():
    x = 1
    items = {"alpha": [1, 2, {"deep": True}], "beta": (3, 4)}
    print("x is", x, sorted(items))  # BREAK console
    print("x is now", x)


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "pool":
        pool_steps(sys.argv[2] if len(sys.argv) > 2 else "fork")
    elif what == "uncaught":
        uncaught()
    elif what == "raised":
        sys.exit(raised())
    elif what == "spin":
        spin()
    elif what == "console":
        console()
