# run_all (pipeline.py) sends its `fn` to a process pool: a lambda or a factory's nested function
# passed to it here cannot be pickled (flagged here, at the argument); a module-level function can.
import multiprocessing as mp

from pipeline import run_all
from tasks import make_task, square

if __name__ == "__main__":
    mp.set_start_method("spawn")
    print(run_all(lambda x: x + 1, [1, 2]))
    print(run_all(make_task(), [1, 2]))
    print(run_all(square, [1, 2]))
    print(run_all(fn=square, xs=[1, 2]))
