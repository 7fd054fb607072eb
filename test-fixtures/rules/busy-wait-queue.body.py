"""Fixture for busy-wait-queue: what the body of a `while q.empty():` loop does decides."""
import asyncio
import logging
import queue
import threading
import time

log = logging.getLogger(__name__)


def spin_with_deadline(q, deadline):
    while q.empty():  # [busy-wait-queue]
        if time.monotonic() > deadline:
            raise TimeoutError
        time.sleep(0.01)
    return q.get()


def spin_and_log(q):
    while q.empty():  # [busy-wait-queue]
        log.debug("waiting")
    return q.get()


async def coroutine_spins_on_thread_queue(q):
    while q.empty():  # [busy-wait-queue]
        pass
    return q.get_nowait()


# OK
def waits_on_condition(q, cond):
    with cond:
        while q.empty():
            cond.wait()
    return q.get()


def waits_on_event(q, ready):
    while q.empty():
        ready.wait(1.0)
        ready.clear()
    return q.get()


async def awaits_condition(q, cond):
    async with cond:
        while q.empty():
            await cond.wait()
    return q.get_nowait()


async def coroutine_yields_while_polling(q):
    # A thread queue polled from a coroutine that awaits: a blocking get() would be the bug.
    while q.empty():
        await asyncio.sleep(0.05)
    return q.get_nowait()


def does_work_meanwhile(q, app):
    while q.empty():
        app.process_events()
        time.sleep(0.01)
    return q.get()


def paced_supervisor(q, deadline):
    # A sleep of 0.1 s or more next to other statements is a chosen pace, not a spin.
    while q.empty():
        if time.monotonic() > deadline:
            raise TimeoutError
        time.sleep(0.5)
    return q.get()


jobs = queue.Queue()
lock = threading.Lock()
