"""ProcessPoolExecutor.submit: one task raises; the result is retrieved via as_completed."""
import concurrent.futures
import multiprocessing

from _common import start_method


def checksum(name, size):
    total = sum(range(size))
    if name == "corrupt":
        raise IOError("checksum mismatch in %s (%d)" % (name, total))
    return total


if __name__ == "__main__":
    ctx = multiprocessing.get_context(start_method())
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=ctx) as ex:
        futures = [ex.submit(checksum, name, 10) for name in ("ok", "corrupt", "fine")]
        for fut in concurrent.futures.as_completed(futures):
            try:
                fut.result()
            except OSError as exc:
                print("failed:", exc)
