"""Event wire format of the tracer channel; mirrors debug-adapter/src/wire.ts.

Every traced process appends one JSON object per line to ``<channel>/<pid>.jsonl``.
Each record has at least ``v`` (WIRE_VERSION), ``kind`` (one of EVENT_KINDS),
``pid`` and ``t`` (``time.time()``); the remaining fields per kind are listed below.
"""


TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any, Dict, List, Optional

WIRE_VERSION = 1

# File names inside the channel directory (all relative to it).
EVENTS_SUFFIX = ".jsonl"   # <pid>.jsonl: append-only event stream of one process
SPANS_SUFFIX = ".spans"    # <pid>.spans: with the timeline on, the spans a process has not
#                            written yet (timeline.py): 256 KiB mapped shared; two int64
#                            first (bytes of span text buffered, seq of the first span), then
#                            the spans' JSON arrays joined by commas (read after the run, so
#                            a worker killed or terminated loses none it finished)
SLOT_SUFFIX = ".slot"      # <pid>.slot: 56-byte mmap'd "current task" slot of every pool or
#                            executor worker (a forked one's file is made by its parent
#                            before the fork and renamed to the child's pid after it)
FAULT_SUFFIX = ".fault"    # <pid>.fault: faulthandler output of a worker (fatal signals)
STACK_SUFFIX = ".stack"    # <pid>.stack: all-threads dump a worker writes on LIVE_STACK_SIGNAL
CTL_DIR = "ctl"            # ctl/<pid>/<seq>.json: requests to a paused process
BELL_SUFFIX = ".bell"      # ctl/<pid>/<id>.bell: FIFO doorbell of a waiting stop (pause.py)

# Slot layout: seven little-endian signed 64-bit integers.  SLOT_LOCKED is 1 while a pool
# worker holds its task queue's read lock (idle in get()): dying then leaves the pool stuck.
# SLOT_STARTED: time.time() in microseconds when the current task began; SLOT_DONE: how many
# tasks the worker has finished (the supervisor's stall watch sees progress by it).
SLOT_FORMAT = "<qqqqqqq"
SLOT_SIZE = 56
SLOT_BUSY, SLOT_KEY, SLOT_CHUNK, SLOT_POS, SLOT_LOCKED, SLOT_STARTED, SLOT_DONE = range(7)
# A slot read back (slot_fields) names them, in that order:
_slot_names = ("busy", "key", "chunk", "pos", "locked", "started_us", "done")

# Real-time signal on which every worker dumps all its threads' stacks into <pid>.stack
# (faulthandler.register); the supervisor sends it only to a process whose
# /proc/<pid>/status SigCgt shows it caught.  SIGRTMIN+7: unused by CPython's test suites.
LIVE_STACK_OFFSET = 7
# Real-time signal on which a process of a debug session (WORKERSCOPE_BREAKPOINTS=1) re-reads
# <channel>/breakpoints.json; sent, like the live-stack signal, only where SigCgt shows it caught.
BREAKPOINT_SIGNAL_OFFSET = 8
# The spec of a debug session's breakpoints in the channel directory, written by the runtime.
BREAKPOINTS_FILE = "breakpoints.json"

# Roles of processes (report "processes[].role").
ROLE_MAIN = "main"
ROLE_POOL_WORKER = "pool-worker"
ROLE_EXECUTOR_WORKER = "executor-worker"
ROLE_PROCESS = "process"

# ---- event kinds and their fields (besides v, kind, pid, t) ----------------------------
# process-start: ppid:int, owner:int|null (pid that created the Process object), role:str,
#                name:str (e.g. "ForkPoolWorker-2").  Written by the process itself, or for a
#                forked pool/executor worker by its parent right after the fork (so records
#                are keyed by their "pid" field, never by the file they are in).  The main
#                process announces itself only when WORKERSCOPE_LAUNCHER names its parent (the
#                editor's runtime), adding python:str ("3.12.1") and cacheTag:str|null.
#                The Node tracer (debug-adapter/node) writes node:str ("22.1.0") instead
PROCESS_START = "process-start"
# process-exit: exitCode:int (value returned by Process._bootstrap; not sent when killed)
PROCESS_EXIT = "process-exit"
# start-method: method:"fork"|"spawn"|"forkserver" (first child started by this process)
START_METHOD = "start-method"
# child-exit (parent side): child:int, name:str, role:str, exitCode:int,
#                terminated:bool (ended by the parent's own terminate()/kill()).  Also written
#                by the supervisor for each process it SIGKILLed at a stall (exitCode -9,
#                terminated true) and, at a hang, for unreaped dead processes
CHILD_EXIT = "child-exit"
# submit (parent side): key:str, api:str ("map", "imap", "apply_async", "submit", ...),
#                function:str, chunksize:int, indexBase:int, indexed:bool,
#                submittedAt:{file,line}|null.  Element index = indexBase + chunk*chunksize + pos.
#                With the timeline on, also def:{file,line}|null (where the function is defined)
SUBMIT = "submit"
# task-exception (worker side): id:str, key:str, chunk:int, pos:int, thread:str, worker:str,
#                role:str, task:{function,args,kwargs}, exception:{type,message},
#                frames:[{file,line,function,locals}], paused:bool
TASK_EXCEPTION = "task-exception"
# process-exception: id, thread, worker, role:"process", task:{function,args,kwargs},
#                exception, frames, paused — a multiprocessing.Process target raised.
#                The Node tracer's (an exception nobody caught on a process's main thread)
#                adds origin:"uncaughtException"|"unhandledRejection"|"unhandled-error-event"
#                |"messageerror"|"postMessage"|"workerData", emitter:str (the class whose
#                'error' event nobody heard) and clonePath:str|null (a DataCloneError's path
#                to the value, "msg.options.onProgress: function")
PROCESS_EXCEPTION = "process-exception"
# thread-exception: id, thread:str, worker:str, role, exception, frames, paused.
#                The Node tracer's (in a worker thread) adds threadId:int, the fields origin,
#                emitter and clonePath of process-exception, and task:{function:"<message>",
#                args:[repr of the last message the thread was dispatched]}
THREAD_EXCEPTION = "thread-exception"
# worker-lost (parent side): child:int, worker:str, role:str, exitCode:int, signal:str|null,
#                key:str, chunk:int, pos:int, task:{function,args,kwargs,index,submittedAt},
#                frames (parsed from the worker's faulthandler file; no locals); also written
#                by a Process child itself when its target calls os._exit(n != 0), with live
#                frames and their locals.  An executor's (written by its manager thread as the
#                pool breaks) also has id:str and paused:bool: with paused, that thread waits
#                for the debugger (pause.py), serving the requests sent to the dead child's pid.
#                A child's task runner may name why it died: cause:str (hooks_dask: a Dask
#                nanny's memory limit, other tasks the worker ran)
WORKER_LOST = "worker-lost"
# swallowed (parent side, at exit): key:str, chunk:int, api:str,
#                task:{function,args,kwargs,index,submittedAt}, exception:{type,message},
#                allChunks:bool (a map's result: every failed chunk of the job was lost);
#                for a thread pool's task also thread:str|null (where it ran; null for a
#                ThreadPool) and frames (with locals, from the exception's traceback)
SWALLOWED = "swallowed"
# race: file, line, kind:"unlocked-read-modify-write", object:str, count:int (per process)
RACE = "race"
# hang (supervisor's own file): key:str|null, worker:str|null, child:int|null,
#                task:{...}|null, timeout:float, lostAt:float
#                A queue deadlock (hangwatch + joinwatch.py) adds reason:"join-before-drain"
#                and names both sides: owner (the parent blocked in join()), child and worker
#                (the child that cannot exit), joinedAt:{file,line,function}|null (the
#                parent's join() call), queue:str, items:int|null and puts:[{file,line,
#                function,count}] (from the child's queue-flush-wait); lostAt is that wait's t
HANG = "hang"
# pool-stalled: owner:int, child:int|null, worker:str|null, key:str|null, chunk:int|null,
#                task:{...}|null, reason:"initializer-failed"|"task-unreadable"|"handler-died"
#                |"callback-raised"
#                (the pool can no longer finish what it was given; arms the hang watch, is no
#                failure of its own: the failure that caused it is reported beside it)
POOL_STALLED = "pool-stalled"
# join (parent side): child:int, name:str, timeout:float|null, at:{file,line,function}|null
#                — Process.join() called on a child (role "process") still running; written
#                before CPython's join runs, at most every 0.5 s per child for the same
#                call site and timeout
JOIN = "join"
# queue-flush-wait (the process that put): queue:str ("<pid>:<n>", this process's n-th
#                queue), items:int|null (not yet written into the pipe: still buffered plus
#                the one being written), puts:[{file,line,function,count}] (where this process
#                put them: the latest puts, or every put site of it on the queue when there
#                are more than it remembers) — at its exit, the queue's feeder thread has not
#                flushed for 0.5 s (nobody reads the pipe?); the exit waits on until it has
QUEUE_FLUSH_WAIT = "queue-flush-wait"
# queue-flushed: queue:str — the feeder thread of a queue-flush-wait finished after all
QUEUE_FLUSHED = "queue-flushed"
# thread-start (Node tracer, the creating thread): threadId:int, name:str ("<name option or
#                Worker> #<threadId>"), file:str (the worker's script, "<eval>" for code),
#                createdAt:{file,line,function}|null (the `new Worker` call), parentThreadId:int
THREAD_START = "thread-start"
# thread-exit (Node tracer, the creating thread): threadId:int, name:str, exitCode:int,
#                terminated:bool (ended by the program's own worker.terminate())
THREAD_EXIT = "thread-exit"
# Reason of a hang record whose parent joins a child stuck flushing a queue.
HANG_JOIN_BEFORE_DRAIN = "join-before-drain"
# paused / resumed: id:str (failure or stop id); reason:"continue"|"next"|"stepIn"|"stepOut"
#                |"timeout"|"channel-gone" on resumed
PAUSED = "paused"
RESUMED = "resumed"
# evaluate-result: id:str, seq:str (the request's file name), frame:int (-1: not a number),
#                ok:bool, value:str|null (safe_repr; "" for statements run in "repl"),
#                type:str|null (the value's type name; null for statements), ref:int (> 0:
#                a variables reference for the value's children), error:str|null (the
#                traceback's "Type: message" line)
EVALUATE_RESULT = "evaluate-result"
# variables-result: id:str, seq:str, ok:bool, variables:[{name:str, value:str, type:str,
#                ref:int}] (at most 300, from the request's start), total:int (how many there
#                are), error:str|null
VARIABLES_RESULT = "variables-result"
# set-variable-result: id:str, seq:str, ok:bool, value:str|null, type:str|null, ref:int,
#                error:str|null — the value assigned, as evaluate-result describes a value
SET_VARIABLE_RESULT = "set-variable-result"
# stopped: id:str ("<pid>-s<n>"), reason:"breakpoint"|"step"|"pause"|"exception",
#                breakpoint:int|null (the spec's id), description:null|"uncaught"|"raised",
#                exception:{type,message}|null, thread:str, worker:str, role:str,
#                frames:[{file,line,function,locals,user}] (live stack, outermost first, from
#                the first frame of user code), paused:true, steppable:bool (next/stepIn/
#                stepOut step from it) — a thread stopped for the debugger; paused and
#                resumed with the same id follow, and ctl requests naming it are served
STOPPED = "stopped"
# log: message:str, file:str (the breakpoint's path as the spec names it), line:int,
#                thread:str, worker:str — a logpoint's message with its {expressions}
#                evaluated, or a breakpoint condition that raised; the thread goes on
LOG = "log"

# in-flight (supervisor's own file): reason:"stall"|"ended", signal:str|null (the main
#                process's death signal for "ended"), timeout:float|null (for "stall"),
#                tasks:[{pid, worker:str|null, role:str|null, key:str|null, chunk:int|null,
#                pos:int|null, startedAt:float (epoch s), runningFor:float (s, at t),
#                task:{function,args,kwargs,index,submittedAt}|null,
#                frames:[{file,line,function}] (live stack of the thread running the task,
#                outermost first; [] when unreadable)}] — every busy slot at that moment
IN_FLIGHT = "in-flight"
# leftover (supervisor's own file): child:int, name:str|null, role:str|null, signal:str|null,
#                exitCode:int|null — a process of the program still alive after the main
#                process ended, which the supervisor then ended (SIGTERM, SIGKILL after a
#                grace); null/null when it went by itself and its status could not be read
LEFTOVER = "leftover"

# spans (timeline on, any process): m:int (monotonic microseconds at t), seq:int (number of
#                the process's first span here; spans are numbered from 0 per process),
#                spans:[span] — batched (every 512 spans, once the oldest is 250 ms old as a
#                span ends, and at exit), each span a JSON array, times in CLOCK_MONOTONIC
#                microseconds (one clock for every process and for the runtime):
#   ["task", tid, begin, end, key|null, chunk|null, pos|null, function|null,
#    submit:[file,line]|null, def:[file,line]|null, args:str|null (<= 80 chars),
#    "ok"|"raised", error:str|null ("Type: message")] — a task's run; key names its submit
#    record (function, sites, index = indexBase + chunk*chunksize + pos); with no key (a
#    Process's target, a thread pool's task) function and sites are its own, pos its index
#   ["wait", tid, begin, end, call:str ("AsyncResult.get", "Pool.map", "imap.next",
#    "Future.result", "Process.join"), site:[file,line]|null] — the thread waited on results
#   ["thread", tid, begin, end|null, name] — a thread's life (end null: it has just started)
SPANS = "spans"
# How every spans record's line begins (timeline.py writes it so): readers that have no use for
# spans (the supervisor's watch, the report's fold) skip such a line without parsing it.
SPANS_LINE_PREFIX = '{"v":1,"kind":"spans",'

EVENT_KINDS = (
    PROCESS_START, PROCESS_EXIT, START_METHOD, CHILD_EXIT, SUBMIT, TASK_EXCEPTION,
    PROCESS_EXCEPTION, THREAD_EXCEPTION, WORKER_LOST, SWALLOWED, RACE, HANG,
    PAUSED, RESUMED, EVALUATE_RESULT, POOL_STALLED, IN_FLIGHT, LEFTOVER,
    JOIN, QUEUE_FLUSH_WAIT, QUEUE_FLUSHED, STOPPED, LOG, VARIABLES_RESULT, SET_VARIABLE_RESULT,
    THREAD_START, THREAD_EXIT,
    SPANS,
)

# Control requests (ctl/<pid>/<seq>.json, written by the runtime .tmp then renamed, 0600;
# seq sorts numerically; after the rename the runtime writes a byte to the stop's bell):
#   {"cmd": "continue"}                                   -> resumed event, worker goes on
#   {"cmd": "next" | "stepIn" | "stepOut"}                -> resumed; a steppable stop steps
#   {"cmd": "evaluate", "frame": k, "expression": "...", "context": "repl"|"watch"|"hover"
#    |"clipboard"|"variables"}                            -> evaluate-result event
#   {"cmd": "variables", "frame": k, "scope": "locals"|"globals"} or
#   {"cmd": "variables", "ref": r, "start": i, "count": n}  -> variables-result event
#   {"cmd": "setVariable", "frame": k, "scope": "locals"|"globals", "ref": r|absent,
#    "name": "...", "value": "<expression>"}              -> set-variable-result event
# Each may name the paused failure or stop it is for ("id": "<pid>-<n>" or "<pid>-s<n>"):
# a thread paused for another failure or stop of the same process leaves it to that one.
# Frames are indexed outermost first (0); refs are numbered per stop from 1.
CMD_EVALUATE = "evaluate"
CMD_CONTINUE = "continue"
CMD_NEXT = "next"
CMD_STEP_IN = "stepIn"
CMD_STEP_OUT = "stepOut"
CMD_VARIABLES = "variables"
CMD_SET_VARIABLE = "setVariable"
STEP_COMMANDS = (CMD_NEXT, CMD_STEP_IN, CMD_STEP_OUT)
INSPECT_COMMANDS = (CMD_EVALUATE, CMD_VARIABLES, CMD_SET_VARIABLE)

Event = dict  # Dict[str, Any]


def slot_fields(data: bytes) -> "Optional[Dict[str, int]]":
    """A task slot read back by the worker's parent or the supervisor (the worker writes the
    mapped integers by their SLOT_* index): busy, key (a pool's job, an executor's work id),
    chunk, pos (the element of the chunk running), locked (the task queue's read lock held),
    started_us and done; None if ``data`` is not a slot.  A dict, not a class: a class made at
    import would cost every traced process pages of its own."""
    if len(data) != SLOT_SIZE:
        return None
    import struct  # a worker's parent has it loaded (multiprocessing uses it)
    return dict(zip(_slot_names, struct.unpack(SLOT_FORMAT, data)))


def _encode_value(value: "Any", out: "List[str]", escape: "Any") -> None:
    if isinstance(value, str):
        out.append(escape(value))
    elif value is None or value is True or value is False:
        out.append("null" if value is None else ("true" if value else "false"))
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(float.__repr__(value) if value == value and value not in (
            float("inf"), float("-inf")) else "null")
    elif isinstance(value, dict):
        out.append("{")
        first = True
        for k, v in value.items():
            if not first:
                out.append(",")
            first = False
            out.append(escape(k if isinstance(k, str) else str(k)))
            out.append(":")
            _encode_value(v, out, escape)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for i, v in enumerate(value):
            if i:
                out.append(",")
            _encode_value(v, out, escape)
        out.append("]")
    else:
        out.append(escape(repr(value)))


def _escape(text: str) -> str:
    """A JSON string literal; plain ASCII text (names, paths, most messages) needs no escaper,
    so a worker that only reports its start never loads ``_json``'s shared library."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return '"' + text + '"'
    try:
        from _json import encode_basestring_ascii as escape
    except ImportError:  # pragma: no cover - every CPython has _json
        from json.encoder import py_encode_basestring_ascii as escape
    return escape(text)


def encode(event: "Event") -> bytes:
    """One complete line of compact JSON, ASCII only so no byte is ever split.

    Hand-rolled: importing ``json`` costs several milliseconds in every pool worker, which
    is most of the tracer's startup budget.
    """
    escape = _escape
    out: "List[str]" = []
    _encode_value(event, out, escape)
    out.append("\n")
    return "".join(out).encode("ascii")


class _ScanContext:
    """What ``_json.make_scanner`` reads from a decoder: the C scanner without importing ``json``
    (and ``re``, ``enum``...), several milliseconds of the supervisor's work after the program."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int

    @staticmethod
    def parse_constant(name: str) -> float:
        return {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}[name]


_scanner: "Any" = None


def loads(text: str) -> "Any":
    """``json.loads`` for one compact JSON document (as ``encode`` writes them)."""
    global _scanner
    if _scanner is None:
        try:
            from _json import make_scanner
            _scanner = make_scanner(_ScanContext())
        except ImportError:  # pragma: no cover - every CPython has _json
            import json
            _scanner = lambda text, at: (json.loads(text), len(text))  # noqa: E731
    text = text.strip()
    try:
        value, end = _scanner(text, 0)
    except StopIteration:
        raise ValueError("not JSON")
    if end != len(text):
        raise ValueError("extra data after JSON")
    return value


def dumps_pretty(value: "Any", indent: str = "  ") -> str:
    """Indented JSON for the report file (ASCII, like ``json.dump(indent=2)``)."""
    out: "List[str]" = []

    def write(v: "Any", depth: int) -> None:
        pad = "\n" + indent * (depth + 1)
        if isinstance(v, dict) and v:
            out.append("{")
            for i, (k, item) in enumerate(v.items()):
                out.append(("," if i else "") + pad + _escape(k if isinstance(k, str) else str(k)) + ": ")
                write(item, depth + 1)
            out.append("\n" + indent * depth + "}")
        elif isinstance(v, (list, tuple)) and v:
            out.append("[")
            for i, item in enumerate(v):
                out.append(("," if i else "") + pad)
                write(item, depth + 1)
            out.append("\n" + indent * depth + "]")
        else:
            _encode_value(v, out, _escape)

    write(value, 0)
    return "".join(out)


def decode_lines(data: bytes) -> "List[Event]":
    """Parse complete lines; a torn last line (no newline) or junk line is skipped."""
    events = []
    for raw in data.split(b"\n"):
        if not raw.strip():
            continue
        try:
            obj = loads(raw.decode("utf-8", "replace"))
        except ValueError:
            continue
        if isinstance(obj, dict) and obj.get("v") == WIRE_VERSION:
            events.append(obj)
    return events
