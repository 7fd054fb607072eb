def make_worker():
    return lambda x: -x
