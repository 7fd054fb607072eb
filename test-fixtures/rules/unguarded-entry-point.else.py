"""Fixture: code in the else branch of the guard runs when the module is imported."""
import multiprocessing as mp


def work(x):
    return x


if __name__ == "__main__":
    print("main")
else:
    pool = mp.Pool()  # [unguarded-entry-point]

mp.set_start_method  # a reference, not a call
