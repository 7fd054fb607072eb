"""Fire-and-forget tasks on a ThreadPoolExecutor and a ThreadPool: the failed ones whose
result is never asked for are lost without a word; one retrieved failure is handled."""
import concurrent.futures
from multiprocessing.pool import ThreadPool

from _common import start_method


def refresh_cache(region, ttl=60):
    stale = ttl * 2
    raise TimeoutError("cache %s did not answer within %ds" % (region, stale))


def resize(image):
    if image.endswith(".gif"):
        raise ValueError("animated images are not supported: " + image)
    return image


if __name__ == "__main__":
    start_method()
    with concurrent.futures.ThreadPoolExecutor(2) as executor:
        executor.submit(refresh_cache, "eu", ttl=5)
        handled = executor.submit(refresh_cache, "us")
        try:
            handled.result()
        except TimeoutError as exc:
            print("handled:", exc)
        print(list(executor.map(len, ["ab", "c"])))
    with ThreadPool(2) as pool:
        pool.apply_async(resize, ("cat.gif",))
        pool.close()
        pool.join()
    print("done")
