"""Fixture for stale-global-in-worker: positives first, then # OK negatives."""
import json
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import Pool

SCALE = 1
MODEL = None
CONFIG = {}
THRESHOLD = 0.5
LOOKUP = {"a": 1}
_cache = None


def scale(x):
    return x * SCALE  # [stale-global-in-worker]
    #          ^^^^^ [stale-global-in-worker]


def predict(row):
    return MODEL.predict(row)  # [stale-global-in-worker]


def helper(x):
    return x + OFFSET  # [stale-global-in-worker]


def uses_helper(x):
    return helper(x) * 2


def read_config(path):
    with open(path) as f:
        return json.load(f)[CONFIG["key"]]  # [stale-global-in-worker]


def load_config(path):
    global CONFIG
    with open(path) as f:
        CONFIG = json.load(f)


def main(paths):
    global MODEL
    MODEL = object()
    load_config("settings.json")
    with ProcessPoolExecutor() as ex:
        list(ex.map(predict, paths))
    with mp.Pool() as pool:
        pool.map(read_config, paths)


class Runner:
    def run(self, xs):
        with Pool() as pool:
            return pool.map(uses_helper, xs)


if __name__ == "__main__":
    SCALE = 10
    OFFSET = 3
    with Pool() as pool:
        print(pool.map(scale, range(5)))
    main(["a", "b"])


EXPORT_DIR = "/tmp/export"


def exporter():
    print("writing to", EXPORT_DIR)  # [stale-global-in-worker]


def start_exporter(path):
    global EXPORT_DIR
    EXPORT_DIR = path
    p = mp.get_context("spawn").Process(target=exporter)
    p.start()
    p.join()


SETTINGS = {"scale": 1}


def scaled(x):
    return x * SETTINGS["scale"]  # [stale-global-in-worker]


def configure_and_run(xs):
    SETTINGS.update(scale=10)
    with Pool() as pool:
        return pool.map(scaled, xs)


# OK


def uses_constants(x):
    return x > THRESHOLD and LOOKUP.get(x)


def init_worker(model_path):
    global _cache
    _cache = model_path


def uses_initialized(x):
    return _cache, x


def lazy_model():
    global LAZY
    if LAZY is None:
        LAZY = object()
    return LAZY


LAZY = None


def uses_lazy(x):
    return lazy_model(), x


def thread_task(x):
    return x * SCALE


def start_runs(xs):
    with Pool(initializer=init_worker, initargs=("m.bin",)) as pool:
        pool.map(uses_initialized, xs)
        pool.map(uses_lazy, xs)
        pool.map(uses_constants, xs)
    with ThreadPoolExecutor() as ex:
        list(ex.map(thread_task, xs))


def configure_at_import():
    global STARTUP
    STARTUP = 5


configure_at_import()


def uses_startup(x):
    return x + STARTUP


def fork_before_pool(xs):
    global FORKED
    FORKED = 2
    ctx = mp.get_context("fork")
    with ctx.Pool() as pool:
        return pool.map(uses_forked, xs)


def uses_forked(x):
    return x * FORKED


def local_shadow(x):
    SCALE = 3
    return x * SCALE


def run_more(xs):
    with Pool() as pool:
        pool.map(local_shadow, xs)
        pool.map(uses_startup, xs)


LOG_LEVEL = "info"


def logger_process():
    print("level", LOG_LEVEL)


def start_logger(level):
    # Forked at start(), after the assignment: the child has the new value.
    global LOG_LEVEL
    LOG_LEVEL = level
    p = mp.get_context("fork").Process(target=logger_process)
    p.start()
    p.join()


REGISTRY = {}
REGISTRY["default"] = 1


def uses_registry(x):
    return x * REGISTRY["default"]


def run_registry(xs):
    with Pool() as pool:
        return pool.map(uses_registry, xs)
