# Nothing here is flagged: config.LIMIT is set in each worker by the pool's initializer, and under
# fork a rebinding before the pool is created is copied into the workers.
import multiprocessing as mp

import config
from settings_tasks import init_limit, limited, scaled

if __name__ == "__main__":
    with mp.Pool(2, initializer=init_limit, initargs=(2,)) as pool:
        print(pool.map(limited, [1, 2, 3]))
    config.SETTING = 10
    with mp.get_context("fork").Pool(2) as pool:
        print(pool.map(scaled, [1, 2, 3]))
