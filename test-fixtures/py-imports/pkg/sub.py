def scale(x):
    return x * 10


def make_scaler(k):
    def scaler(x):
        return x * k
    return scaler
