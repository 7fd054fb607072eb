import multiprocessing as mp

import starter


def triple(x):
    return 3 * x


if __name__ == "__main__":
    with mp.Pool(2) as p:
        print(p.map(triple, [1, 2]))
