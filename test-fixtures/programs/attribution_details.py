"""Details of attribution: a task submitted through asyncio's run_in_executor is named at the
user's line (not asyncio's); a failing Manager-proxy call keeps the name Python gives the
proxy method's code (<string>), not a made-up path."""
import asyncio
import concurrent.futures
import multiprocessing

from _common import start_method


def boom(x):
    raise ValueError("bad %d" % x)


def lookup(shared, key):
    return shared[key]


async def submit(executor):
    loop = asyncio.get_running_loop()
    try:
        await loop.run_in_executor(executor, boom, 3)
    except ValueError as exc:
        print("caught", exc)


if __name__ == "__main__":
    start_method()
    with concurrent.futures.ProcessPoolExecutor(1) as executor:
        asyncio.run(submit(executor))
    with multiprocessing.Manager() as manager:
        shared = manager.dict()
        with multiprocessing.Pool(1) as pool:
            try:
                pool.apply(lookup, (shared, "absent"))
            except KeyError as exc:
                print("missing", exc)
