"""Fixture for unguarded-entry-point: a module-level pool without a guard."""
import multiprocessing as mp


def square(x):
    return x * x


if __name__ == "__main__":
    with mp.Pool(4) as pool:  # [unguarded-entry-point]
    #    ^^^^^^^ [unguarded-entry-point]
        print(pool.map(square, range(10)))
    print("done")
