"""A task raises an exception the parent cannot unpickle: the pool's result handler thread
dies, and map() never returns."""
import multiprocessing

from _common import start_method


class QuotaError(Exception):
    def __init__(self, user, used):
        super().__init__("quota exceeded for %s" % user)  # args lack `used`: unpickling fails
        self.used = used


def charge(user):
    if user == "eve":
        raise QuotaError(user, 120)
    return user.upper()


if __name__ == "__main__":
    start_method()
    with multiprocessing.Pool(2) as pool:
        print(pool.map(charge, ["ann", "bob", "eve", "kim"]))
