"""A task function defined under the __main__ guard: spawn and forkserver executor workers
cannot load it and the executor breaks; fork runs it."""
import concurrent.futures
import multiprocessing

from _common import start_method

if __name__ == "__main__":
    def checksum(blob):
        return sum(blob) % 251

    context = multiprocessing.get_context(start_method())
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=context) as executor:
        futures = [executor.submit(checksum, bytes(range(i, i + 4))) for i in range(3)]
        try:
            print([future.result() for future in futures])
        except concurrent.futures.process.BrokenProcessPool:
            print("pool broke")
