# Not flagged: a module without a main guard is not the script a child re-imports; the script that imports it is.
import multiprocessing as mp

import starter

lock = mp.Lock()


def uses_starter():
    return starter.double(2)
