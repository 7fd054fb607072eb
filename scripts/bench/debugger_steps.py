"""The stepping scenario of the debugger benchmark, for Workerscope (as its runtime) and for
debugpy (as its DAP client): stop at the conditional breakpoint in the task's loop (one worker),
remove the breakpoint as a user would, step `next` STEPS times (each timed from the request to
the thread's next stop), then continue (timed to the thread's resumption)."""

import queue
import threading
import time

import debugger_ws

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional

STEPS = 30
STEP_TIMEOUT = 10.0


class StepLog:
    """One run's stepping figures, seconds."""

    def __init__(self) -> None:
        self.call_line = None  # type: Optional[int]
        self.pid = None  # type: Optional[int]
        self.latency = []  # type: List[float]
        self.over_call = []  # type: List[float]
        # Workerscope only: request to the stop record's own time ("t", written by the tracer),
        # i.e. without the tail's polling and scheduling delay in reading it.
        self.recorded = []  # type: List[float]
        self.cont = None  # type: Optional[float]
        self.window = None  # type: Optional[List[Optional[float]]]
        self.error = None  # type: Optional[str]

    def add(self, line: "Optional[int]", seconds: float) -> None:
        # A `next` over the line that calls fib runs fib with the step armed: kept apart.
        (self.over_call if line == self.call_line else self.latency).append(seconds)

    def as_dict(self) -> "Dict[str, Any]":
        return {"pid": self.pid, "latency": self.latency, "latencyOverCall": self.over_call,
                "latencyRecorded": self.recorded,
                "continue": self.cont, "window": self.window, "error": self.error}


def _top_line(stop: "Dict[str, Any]") -> "Optional[int]":
    frames = stop.get("frames") or []
    return frames[-1].get("line") if frames else None  # outermost first


def ws_stepper(channel: str, proc: "Any", log: StepLog) -> None:
    tail = debugger_ws.Tail(channel)

    def alive() -> bool:
        return proc.poll() is None

    first = tail.wait(lambda r: r.get("kind") == "stopped", 120, alive)
    if first is None:
        log.error = "no stop at the breakpoint in the loop"
        return
    pid, thread = first.get("pid"), first.get("thread")
    log.pid = pid

    def paused(stop_id: str) -> bool:
        found = tail.wait(lambda r: r.get("kind") == "paused" and r.get("id") == stop_id,
                          STEP_TIMEOUT, alive)
        if found is None:
            log.error = "no `paused` after stop %s" % stop_id
        return found is not None

    if not paused(first["id"]):
        return
    # The user removes the breakpoint: the runtime rewrites the spec and signals the processes.
    debugger_ws.write_spec(channel, 2, {})
    debugger_ws.signal_reload(proc.pid)
    stop, seq = first, 0
    log.window = [time.time(), None]
    for _ in range(STEPS):
        seq += 1
        line = _top_line(stop)
        sent = debugger_ws.request(channel, pid, seq, "next", stop["id"])
        following = tail.wait(lambda r: r.get("kind") == "stopped" and r.get("pid") == pid
                              and r.get("thread") == thread, STEP_TIMEOUT, alive)
        if following is None:
            log.error = "no stop within %d s of `next` (stepping not available?)" % STEP_TIMEOUT
            log.window[1] = time.time()
            return
        log.add(line, following["_seen"] - sent)
        if isinstance(following.get("t"), (int, float)) and line != log.call_line:
            log.recorded.append(following["t"] - sent)
        if not paused(following["id"]):
            return
        stop = following
    log.window[1] = time.time()
    sent = debugger_ws.request(channel, pid, seq + 1, "continue", stop["id"])
    resumed = tail.wait(lambda r: r.get("kind") == "resumed" and r.get("id") == stop["id"],
                        STEP_TIMEOUT, alive)
    if resumed is None:
        log.error = "no `resumed` after continue"
    else:
        log.cont = resumed["_seen"] - sent


def _dap_top_line(conn: "Any", thread_id: int) -> "Optional[int]":
    """What the editor asks after every stop anyway (not part of the timed latency)."""
    body = conn.request("stackTrace", {"threadId": thread_id, "startFrame": 0,
                                       "levels": 1}).get("body") or {}
    frames = body.get("stackFrames") or []
    return frames[0].get("line") if frames else None


def _dap_drive(client: "Any", conn: "Any", first: "Dict[str, Any]", events: "Any",
               log: StepLog) -> None:
    try:
        log.pid = int(conn.name.split()[-1])
    except ValueError:
        log.pid = None
    thread_id = first["body"]["threadId"]
    client.clear_breakpoints()
    line = _dap_top_line(conn, thread_id)
    log.window = [time.time(), None]
    for _ in range(STEPS):
        sent = time.time()
        conn.send("next", {"threadId": thread_id})
        try:
            _, event = events.get(timeout=STEP_TIMEOUT)
        except queue.Empty:
            log.error = "no stop within %d s of `next`" % STEP_TIMEOUT
            log.window[1] = time.time()
            return
        log.add(line, event["_received"] - sent)
        thread_id = event["body"].get("threadId", thread_id)
        line = _dap_top_line(conn, thread_id)
    log.window[1] = time.time()
    sent = time.time()
    answer = conn.request("continue", {"threadId": thread_id})
    log.cont = answer["_received"] - sent


def dap_stepper(client: "Any", log: StepLog) -> "Any":
    """The client's `stopped` handler: the first stop starts the scenario, later ones feed it."""
    events = queue.Queue()  # type: Any
    lock = threading.Lock()
    started = []  # type: List[Any]

    def on_stopped(conn: "Any", message: "Dict[str, Any]") -> None:
        with lock:
            first = not started
            started.append(conn)
        if not first:
            events.put((conn, message))
            return
        try:
            _dap_drive(client, conn, message, events, log)
        except Exception as exc:  # the figure is then missing, with why
            log.error = "%s: %r" % (type(exc).__name__, exc)

    return on_stopped
