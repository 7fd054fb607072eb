# Under fork the workers copy the parent when the pool is created: config.SETTING rebound after
# that never reaches them ([10, 20, 30] instead of [100, 200, 300]).
import multiprocessing as mp

import config
from settings_tasks import scaled

if __name__ == "__main__":
    config.SETTING = 10
    with mp.get_context("fork").Pool(2) as pool:
        config.SETTING = 100
        print(pool.map(scaled, [1, 2, 3]))
