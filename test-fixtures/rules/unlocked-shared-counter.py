"""Fixture for unlocked-shared-counter: positives first, then # OK negatives."""
import multiprocessing as mp
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from multiprocessing import Array, Manager, Pool, Process, RawValue, Value

total = 0
hits = {}


def increment(counter):
    for _ in range(100):
        counter.value += 1  # [unlocked-shared-counter]
       #^^^^^^^^^^^^^ [unlocked-shared-counter]


def assign_increment(counter, n):
    counter.value = counter.value + n  # [unlocked-shared-counter]


def array_element(arr, i):
    arr[i] += 1  # [unlocked-shared-counter]


def raw_counter(rv):
    rv.value += 1  # [unlocked-shared-counter]


def unlocked_value(v):
    v.value -= 1  # [unlocked-shared-counter]


def proxy_dict(d, key):
    d[key] += 1  # [unlocked-shared-counter]
    d[key] = d.get(key, 0) + 1  # [unlocked-shared-counter]


def proxy_namespace(ns):
    ns.count += 1  # [unlocked-shared-counter]


def proxy_value(mv):
    mv.value += 1  # [unlocked-shared-counter]


def init_global(v):
    global shared_counter
    shared_counter = v


def uses_global(x):
    shared_counter.value += x  # [unlocked-shared-counter]


def helper(c):
    c.value += 1  # [unlocked-shared-counter]


def calls_helper(c):
    helper(c)


def thread_global():
    global total
    total += 1  # [unlocked-shared-counter]


def thread_dict(key):
    hits[key] += 1  # [unlocked-shared-counter]


def starts_everything(xs):
    counter = Value("i", 0)
    procs = [Process(target=increment, args=(counter,)) for _ in range(4)]
    for p in procs:
        p.start()
    mp.Process(target=assign_increment, args=(counter, 2)).start()
    arr, rv, v = Array("i", 4), RawValue("i", 0), Value("i", 0, lock=False)
    for _ in range(2):
        mp.Process(target=array_element, args=(arr, 0)).start()
        mp.Process(target=raw_counter, args=(rv,)).start()
        mp.Process(target=unlocked_value, args=(v,)).start()
    mp.Process(target=calls_helper, args=(counter,)).start()
    with Manager() as manager:
        d = manager.dict()
        ns = manager.Namespace()
        mv = manager.Value("i", 0)
        with Pool() as pool:
            pool.starmap(proxy_dict, [(d, k) for k in "abc"])
            pool.apply_async(proxy_namespace, (ns,))
            pool.map(partial(proxy_value, mv), [1])
    with ProcessPoolExecutor(initializer=init_global, initargs=(counter,)) as ex:
        ex.map(uses_global, xs)
    threading.Thread(target=thread_global).start()
    with ThreadPoolExecutor() as tex:
        tex.submit(thread_dict, "k")


def after_release(counter, lock):
    lock.acquire()
    try:
        seen = counter.value
    finally:
        lock.release()
    if seen:
        counter.value += 1  # [unlocked-shared-counter]


def manager_value_get_lock(mv):
    with mv.get_lock():  # proxies have no get_lock(): AttributeError, and no lock
        mv.value += 1  # [unlocked-shared-counter]


class Tally(threading.Thread):
    def run(self):
        global total
        total += 1  # [unlocked-shared-counter]


def histogram(hist, n):
    hist[n] += 1  # [unlocked-shared-counter]


def starts_more(sizes):
    counter = Value("i", 0)
    lock = mp.Lock()
    workers = [mp.Process(target=after_release, args=(counter, lock)) for _ in range(2)]
    with Manager() as manager:
        mv = manager.Value("i", 0)
        workers += [mp.Process(target=manager_value_get_lock, args=(mv,)) for _ in range(2)]
    Tally().start()
    hist = Array("i", 10)
    for n in sizes:
        mp.Process(target=histogram, args=(hist, n)).start()


def fresh_lock(v):
    with threading.Lock():  # a new lock per call excludes nobody
        v.value += 1  # [unlocked-shared-counter]


def starts_fresh_lock():
    v = Value("i", 0)
    for _ in range(4):
        mp.Process(target=fresh_lock, args=(v,)).start()


fetched = 0
fetch_slots = threading.BoundedSemaphore(5)


def fetch_page(url):
    global fetched
    with fetch_slots:  # five threads at a time: no mutual exclusion
        fetched += 1  # [unlocked-shared-counter]


def visit(args):
    counter, page = args
    counter.value += page  # [unlocked-shared-counter]


def count_up(counter):
    counter.value += 1  # [unlocked-shared-counter]


def run_target(target):
    counter = Value("i", 0)
    procs = [mp.Process(target=target, args=(counter,)) for _ in range(4)]
    for p in procs:
        p.start()


def starts_indirect(urls):
    with ThreadPoolExecutor() as tex:
        list(tex.map(fetch_page, urls))
    with Manager() as manager:
        shared = manager.Value("i", 0)
        with Pool() as pool:
            pool.map(visit, [(shared, p) for p in range(10)])
    run_target(count_up)


# OK

def locked_value(counter, lock):
    with counter.get_lock():
        counter.value += 1
    with lock:
        counter.value += 1
    lock.acquire()
    try:
        counter.value += 1
    finally:
        lock.release()


def locked_proxy(d, mlock):
    with mlock:
        d["k"] += 1


def locked_by_caller(c):
    c.value += 1


def caller_holds_lock(c, lock):
    with lock:
        locked_by_caller(c)


def reads_only(counter, out):
    out.append(counter.value + 1)
    local = counter.value
    local += 1
    counter.value = 5


def thread_global_locked():
    global total
    with total_lock:
        total += 1


total_lock = threading.Lock()


def process_global():
    global total
    total += 1  # each process has its own copy: not a race


def not_a_worker(counter):
    counter.value += 1


def main_only():
    counter = Value("i", 0)
    counter.value += 1
    not_a_worker(counter)
    lock = mp.Lock()
    mp.Process(target=locked_value, args=(counter, lock)).start()
    with Manager() as manager:
        d = manager.dict()
        mp.Process(target=locked_proxy, args=(d, manager.Lock())).start()
    mp.Process(target=caller_holds_lock, args=(counter, lock)).start()
    mp.Process(target=reads_only, args=(counter, [])).start()
    threading.Thread(target=thread_global_locked).start()
    mp.Process(target=process_global).start()


def own_slot(sums, i):
    sums[i] += i * i  # task i is the only writer of slot i


def own_slot_from_map(i):
    shared_sums[i] += 1


shared_sums = Array("q", 8)


def own_slots():
    sums = Array("q", 8)
    for i in range(8):
        mp.Process(target=own_slot, args=(sums, i)).start()
    with Pool() as pool:
        pool.map(own_slot_from_map, range(8))


class Idle(threading.Thread):
    def run(self):
        with total_lock:
            global total
            total += 1


def sole_writer(received):
    received.value += 1024  # one process writes, the parent only reads: nothing to lose


def start_sole_writer():
    received = Value("q", 0, lock=False)
    p = mp.Process(target=sole_writer, args=(received,))
    p.start()
    p.join()
    return received.value


def own_slot_progress(slot, progress):
    progress[slot] += 1


def own_slots_comprehension():
    progress = Array("i", 4)
    procs = [mp.Process(target=own_slot_progress, args=(i, progress)) for i in range(4)]
    for p in procs:
        p.start()
