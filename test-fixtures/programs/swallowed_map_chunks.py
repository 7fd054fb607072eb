"""Two failures in one map_async (different chunks) and two executor maps: nobody reads the
map_async result nor the first executor map; the second map's failure is read."""
import concurrent.futures
import multiprocessing

from _common import start_method


def score(sample):
    if sample < 0:
        raise ValueError("negative sample %d" % sample)
    return sample * 2


def warm(key):
    if key.startswith("bad"):
        raise KeyError(key)
    return key


if __name__ == "__main__":
    context = multiprocessing.get_context(start_method())
    pool = context.Pool(2)
    pending = pool.map_async(score, [4, -1, 9, 16, 25, 36, -7, 49], chunksize=2)
    pool.close()
    pool.join()
    print("ready", pending.ready())
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=context) as executor:
        warming = executor.map(warm, ["a", "bad-key", "c"])
        try:
            list(executor.map(warm, ["d", "bad-e"]))
        except KeyError as exc:
            print("second map failed:", exc)
