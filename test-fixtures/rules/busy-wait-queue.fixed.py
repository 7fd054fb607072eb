"""Fixture for busy-wait-queue: positives first, then # OK negatives."""
import multiprocessing as mp
import queue
import threading
import time
from multiprocessing import Manager, Process, Queue


def handle(item):
    return item


def spin_until_item(q):
    return q.get()


def poll_with_continue(q):
    while True:
        item = q.get()
        if item is None:
            break
        handle(item)


def poll_without_else(jobs, stop):
    while not stop.is_set():
        if not jobs.empty():  # [busy-wait-queue]
            handle(jobs.get())


def poll_with_sleep_at_end(results):
    while True:
        if not results.empty():  # [busy-wait-queue]
            item = results.get_nowait()
            if item is None:
                return
            handle(item)
        time.sleep(0.05)


def poll_else_sleep(work_queue):
    running = True
    while running:
        if not work_queue.empty():  # [busy-wait-queue]
            running = handle(work_queue.get())
        else:
            time.sleep(0.2)


class Consumer(threading.Thread):
    def __init__(self):
        super().__init__()
        self.inbox = queue.Queue()

    def run(self):
        while True:
            msg = self.inbox.get()
            handle(msg)


def main():
    q = Queue()
    p = Process(target=poll_with_continue, args=(q,))
    p.start()
    while q.empty() and p.is_alive():  # [busy-wait-queue]
        pass
    print(q.get())
    p.join()

# OK


def drain(q):
    items = []
    while not q.empty():
        items.append(q.get())
    return items


def drain_with_break(q):
    out = []
    while True:
        if q.empty():
            break
        out.append(q.get())
    return out


def check_once(q):
    if q.empty():
        print("nothing to do")
        return None
    return q.get()


def blocking_consumer(q):
    while True:
        item = q.get()
        if item is None:
            break
        handle(item)


def report_then_block(q):
    while True:
        if q.empty():
            print("waiting for work")
        item = q.get()
        if item is None:
            break


def manager_drain():
    with Manager() as m:
        q = m.Queue()
        while not q.empty():
            handle(q.get())


def else_breaks(q):
    while True:
        if not q.empty():
            handle(q.get())
        else:
            break


def stack_empty(stack):
    while not stack.empty():
        stack.pop()


def for_loop_check(qs):
    for q in qs:
        if q.empty():
            continue
        handle(q.get())


def mp_queue_nonloop():
    q = mp.Queue()
    return q.empty()


def ui_loop(results, running, draw):
    # Draws a frame every pass and only picks up results in passing: not a busy wait.
    while running():
        if not results.empty():
            print(results.get_nowait())
        draw()
        time.sleep(1 / 60)
