# config.SETTING is rebound under the main guard: under spawn and forkserver the workers re-import
# config and see SETTING = 1 ([1, 2, 3] instead of [10, 20, 30]), whether the task reading it is
# imported (scaled, from settings_tasks.py) or defined here (local_scaled).
import multiprocessing as mp

import config
from settings_tasks import scaled


def local_scaled(x):
    return x * config.SETTING


if __name__ == "__main__":
    config.SETTING = 10
    with mp.Pool(2) as pool:
        print(pool.map(scaled, [1, 2, 3]))
        print(pool.map(local_scaled, [1, 2, 3]))
