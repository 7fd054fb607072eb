work = lambda x: x * 2  # noqa: E731


def double(x):
    return 2 * x
