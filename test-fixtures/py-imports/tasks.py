"""Task functions that main.py, attributes.py and ok.py import."""


def logged(fn):
    def wrapper(*args):
        print("calling", fn.__name__)
        return fn(*args)
    return wrapper


work = lambda x: x * 2  # noqa: E731


def make_task():
    def task(x):
        return x + 1
    return task


@logged
def logged_square(x):
    return x * x


def square(x):
    return x * x
