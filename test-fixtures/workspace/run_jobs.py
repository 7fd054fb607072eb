# `work` comes from jobs.py, where it is a lambda: the pool cannot pickle it (flagged here, at the
# call). Making `work` a module-level function in jobs.py takes the finding here away.
from multiprocessing import Pool

from jobs import work

if __name__ == "__main__":
    with Pool(2) as pool:
        print(pool.map(work, range(4)))
