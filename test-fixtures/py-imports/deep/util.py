def make_offset(k):
    return lambda x: x + k


def offset_one(x):
    return x + 1
