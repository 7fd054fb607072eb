"""Aggregates the channel's event files into the trace report (version 1) and its summary.

Pure functions over decoded events so they can be tested with synthetic input; the same
joins (worker-side failure + parent-side submit) are what the debug adapter does live.
"""

import os

from .. import wire

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds in the supervisor, after the program has ended
    from typing import Any, Dict, Iterable, List, Optional, Tuple

FAILURE_FIELDS = ("kind", "pid", "thread", "worker", "task", "exception", "signal", "exitCode",
                  "frames")


def load_events(directory: str) -> "List[Dict[str, Any]]":
    events: "List[Dict[str, Any]]" = []
    try:
        names = os.listdir(directory)
    except OSError:
        return events
    for name in sorted(names):  # records of one instant keep one order, here and in Node
        if not name.endswith(wire.EVENTS_SUFFIX):
            continue
        try:
            with open(os.path.join(directory, name), "rb") as f:
                events.extend(wire.decode_lines(f.read()))
        except OSError:
            continue
    events.sort(key=lambda e: (e.get("t") or 0))
    return events


def _frames(raw: "Any") -> "List[Dict[str, Any]]":
    out = []
    for fr in raw or []:
        if isinstance(fr, dict):
            out.append({"file": fr.get("file"), "line": fr.get("line"),
                        "function": fr.get("function"), "locals": fr.get("locals") or {}})
    return out


def innermost_user_frame(raw: "Any") -> "Optional[Dict[str, Any]]":
    frames = [f for f in (raw or []) if isinstance(f, dict)]
    for fr in reversed(frames):
        if fr.get("user", True):
            return fr
    return frames[-1] if frames else None


def _index(submit: "Optional[Dict[str, Any]]", chunk: "Any", pos: "Any") -> "Optional[int]":
    if not submit or not submit.get("indexed"):
        return None
    try:
        return int(submit.get("indexBase") or 0) + int(chunk or 0) * int(
            submit.get("chunksize") or 1) + int(pos or 0)
    except (TypeError, ValueError):
        return None


def _task(base: "Optional[Dict[str, Any]]", submit: "Optional[Dict[str, Any]]", chunk: "Any" = 0,
          pos: "Any" = 0) -> "Optional[Dict[str, Any]]":
    if base is None and submit is None:
        return None
    base = base or {}
    submit = submit or {}
    index = base.get("index")
    if index is None:
        index = _index(submit, chunk, pos)
    return {"function": base.get("function") or submit.get("function"),
            "args": list(base.get("args") or []), "kwargs": dict(base.get("kwargs") or {}),
            "index": index, "submittedAt": base.get("submittedAt") or submit.get("submittedAt")}


def _submit_for(submits: "Dict[str, Dict[str, Any]]", key: "Any") -> "Optional[Dict[str, Any]]":
    return submits.get(key) if isinstance(key, str) else None


def _failure(kind: str, **fields: "Any") -> "Dict[str, Any]":
    out = {name: None for name in FAILURE_FIELDS}
    out["kind"] = kind
    out.update(fields)
    out["frames"] = _frames(fields.get("frames"))
    if fields.get("frames"):
        out["_at"] = innermost_user_frame(fields.get("frames"))
    return out


def _join_hang_fields(hang: "Dict[str, Any]") -> "Dict[str, Any]":
    """What a queue deadlock's hang adds to its failure: the reason, the parent's join() call
    then the child's put sites as frames, and how many items were left unwritten."""
    if hang.get("reason") != wire.HANG_JOIN_BEFORE_DRAIN:
        return {}
    sites = [hang.get("joinedAt")] + list(hang.get("puts") or [])
    return {"frames": [{"file": s.get("file"), "line": s.get("line"),
                        "function": s.get("function"), "locals": {}}
                       for s in sites if isinstance(s, dict)],
            "reason": hang.get("reason"), "items": hang.get("items")}


def drain_sentence(f: "Dict[str, Any]") -> str:
    """The summary's account of a queue deadlock, from its failure."""
    frames = f.get("frames") or []
    joined = "Process.join()"
    if frames:
        joined += " at %s:%s" % (frames[0].get("file"), frames[0].get("line"))
    puts = ", ".join("%s:%s" % (p.get("file"), p.get("line")) for p in frames[1:])
    items = f.get("items")
    if not puts:
        what = "its Queue is read"
    elif items == 1:
        what = "the item it put on a Queue at %s is read" % puts
    elif isinstance(items, int):
        what = "the %d items it put on a Queue at %s are read" % (items, puts)
    else:
        what = "the items it put on a Queue at %s are read" % puts
    return "%s waits for %s, which cannot exit until %s" % (joined, f.get("worker") or "its child",
                                                            what)


# Long: one pass over the events, each kind folded where the state it joins lives (submits,
# the swallowed results, the processes), rather than split across helpers that would each
# need all of that state.
def build_report(events: "Iterable[Dict[str, Any]]", *, program: str, argv: "List[str]",
                 python: str, exit_code: "Optional[int]", root_pid: int, root_ppid: int,
                 root_exit: "Optional[int]" = None) -> "Dict[str, Any]":
    events = list(events)
    submits: "Dict[str, Dict[str, Any]]" = {}
    swallowed: "Dict[Tuple[Any, Any], Dict[str, Any]]" = {}
    # A map's result nobody read swallows the failures of all its chunks.
    whole_jobs: "Dict[str, Tuple[Any, Any]]" = {}
    for e in events:
        if e.get("kind") == wire.SUBMIT and isinstance(e.get("key"), str):
            submits[e["key"]] = e
        elif e.get("kind") == wire.SWALLOWED:
            swallowed[(e.get("key"), e.get("chunk"))] = e
            if e.get("allChunks") and isinstance(e.get("key"), str):
                whole_jobs[e["key"]] = (e["key"], e.get("chunk"))

    processes: "Dict[int, Dict[str, Any]]" = {
        root_pid: {"pid": root_pid, "ppid": root_ppid, "role": wire.ROLE_MAIN,
                   "name": "MainProcess", "exitCode": root_exit}}
    failures: "List[Dict[str, Any]]" = []
    races: "Dict[Tuple[Any, ...], Dict[str, Any]]" = {}
    start_methods: "Dict[int, str]" = {}
    used_swallowed = set()
    ended: "Optional[Dict[str, Any]]" = None  # the last in-flight record of the run's end

    for e in events:
        kind, pid = e.get("kind"), e.get("pid")
        if kind == wire.PROCESS_START and isinstance(pid, int):
            proc = processes.setdefault(pid, {"pid": pid, "exitCode": None})
            proc.update({"ppid": e.get("ppid"), "role": e.get("role"), "name": e.get("name")})
        elif kind == wire.PROCESS_EXIT and isinstance(pid, int):
            processes.setdefault(pid, {"pid": pid, "ppid": None, "role": None, "name": None})
            processes[pid]["exitCode"] = e.get("exitCode")
        elif kind == wire.CHILD_EXIT and isinstance(e.get("child"), int):
            proc = processes.setdefault(e["child"], {"pid": e["child"], "ppid": pid,
                                                     "role": e.get("role"), "name": e.get("name"),
                                                     "exitCode": None})
            proc["exitCode"] = e.get("exitCode")
        elif kind == wire.START_METHOD and isinstance(pid, int) and e.get("method"):
            start_methods.setdefault(pid, e["method"])
        elif kind == wire.TASK_EXCEPTION:
            skey = (e.get("key"), e.get("chunk"))
            if skey not in swallowed and e.get("key") in whole_jobs:
                skey = whole_jobs[e["key"]]
            sw = swallowed.get(skey)
            if sw is not None:
                used_swallowed.add(skey)
            task = e.get("task") or {}
            submit = _submit_for(submits, e.get("key"))
            failures.append(_failure(
                wire.SWALLOWED if sw is not None else "exception", pid=pid,
                thread=e.get("thread"), worker=e.get("worker"),
                task=_task(task, submit, e.get("chunk"), e.get("pos")),
                exception=e.get("exception"), frames=e.get("frames"), _t=e.get("t")))
        elif kind == wire.PROCESS_EXCEPTION:
            failures.append(_failure("exception", pid=pid, thread=e.get("thread"),
                                     worker=e.get("worker"), task=_task(e.get("task"), None),
                                     exception=e.get("exception"), frames=e.get("frames"),
                                     _t=e.get("t")))
        elif kind == wire.THREAD_EXCEPTION:
            failures.append(_failure("thread-exception", pid=pid,
                                     thread=e.get("threadName") or e.get("thread"),
                                     worker=e.get("worker"), exception=e.get("exception"),
                                     frames=e.get("frames"), _t=e.get("t")))
        elif kind == wire.WORKER_LOST:
            code = e.get("exitCode")
            lost_kind = "killed" if isinstance(code, int) and code < 0 else "exited"
            task = _task(e.get("task"), _submit_for(submits, e.get("key")), e.get("chunk"),
                         e.get("pos"))
            failures.append(_failure(lost_kind, pid=e.get("child"), thread="MainThread",
                                     worker=e.get("worker"), task=task, signal=e.get("signal"),
                                     exitCode=code, frames=e.get("frames"), _t=e.get("t"),
                                     **({"cause": e["cause"]} if isinstance(e.get("cause"), str)
                                        else {})))
            if isinstance(e.get("child"), int):
                proc = processes.setdefault(e["child"], {"pid": e["child"], "ppid": pid,
                                                         "role": e.get("role"),
                                                         "name": e.get("worker")})
                proc["exitCode"] = code
        elif kind == wire.HANG:
            failures.append(_failure("hang", pid=e.get("owner"), thread="MainThread",
                                     worker=e.get("worker"), task=e.get("task"),
                                     signal=e.get("signal"), exitCode=e.get("exitCode"),
                                     _t=e.get("t"), **_join_hang_fields(e)))
        elif kind == wire.IN_FLIGHT and e.get("reason") == "stall":
            for task in e.get("tasks") or []:
                failures.append(_stall(task, submits, e.get("t")))
        elif kind == wire.IN_FLIGHT and e.get("reason") == "ended":
            ended = e
        elif kind == wire.LEFTOVER and isinstance(e.get("child"), int):
            proc = processes.setdefault(e["child"], {"pid": e["child"], "ppid": None,
                                                     "role": e.get("role"), "name": e.get("name"),
                                                     "exitCode": None})
            proc["outlived"] = True
            if e.get("exitCode") is not None:
                proc["exitCode"] = e.get("exitCode")
        elif kind == wire.RACE:
            file, line, obj = e.get("file"), e.get("line"), e.get("object")
            race_kind = e.get("raceKind") or "unlocked-read-modify-write"
            race = races.setdefault((file, line, race_kind, obj),
                                    {"file": file, "line": line, "kind": race_kind,
                                     "object": obj, "count": 0, "pids": []})
            race["count"] += int(e.get("count") or 0)
            if pid not in race["pids"]:
                race["pids"].append(pid)

    for skey, e in swallowed.items():
        if skey in used_swallowed:
            continue
        failures.append(_failure(wire.SWALLOWED, pid=e.get("pid"),
                                 thread=e.get("thread") if "thread" in e else "MainThread",
                                 worker=None, task=_task(e.get("task"),
                                                         _submit_for(submits, e.get("key"))),
                                 exception=e.get("exception"), frames=e.get("frames"),
                                 _t=e.get("t")))

    failures.sort(key=lambda f: f.get("_t") or 0)
    killed_at = ended.get("t") if ended is not None and ended.get("signal") else None
    for f in failures:
        t = f.pop("_t", None)
        if killed_at is not None and (t or 0) > killed_at:
            f["afterMainEnded"] = True
    for race in races.values():
        race["pids"].sort()
    start = start_methods.get(root_pid) or next(iter(start_methods.values()), None)
    return {"version": 1, "program": program, "argv": list(argv), "python": python,
            "startMethod": start, "runtime": "python", "exitCode": exit_code,
            "processes": [_process(p) for p in sorted(processes.values(),
                                                      key=lambda p: p["pid"] != root_pid)],
            "failures": failures, "races": list(races.values()),
            "inFlight": [_in_flight(task) for task in (ended or {}).get("tasks") or []],
            "_mainSignal": (ended or {}).get("signal")}


def _signal_name(code: "Any") -> "Optional[str]":
    if not isinstance(code, int) or code >= 0:
        return None
    try:
        import signal
        return signal.Signals(-code).name
    except ValueError:
        return "SIG%d" % -code


def _process(p: "Dict[str, Any]") -> "Dict[str, Any]":
    return {"pid": p.get("pid"), "ppid": p.get("ppid"), "role": p.get("role"),
            "name": p.get("name"), "exitCode": p.get("exitCode"),
            "signal": _signal_name(p.get("exitCode")), "outlived": bool(p.get("outlived"))}


def _in_flight(task: "Dict[str, Any]") -> "Dict[str, Any]":
    return {"pid": task.get("pid"), "worker": task.get("worker"), "task": task.get("task"),
            "runningFor": task.get("runningFor"),
            "frames": [{"file": f.get("file"), "line": f.get("line"),
                        "function": f.get("function")}
                       for f in task.get("frames") or [] if isinstance(f, dict)]}


def _stall(task: "Dict[str, Any]", submits: "Dict[str, Dict[str, Any]]", t: "Any"
           ) -> "Dict[str, Any]":
    """A task still running when the stall timeout passed with no task finished."""
    return _failure("stall", pid=task.get("pid"), thread="MainThread", worker=task.get("worker"),
                    task=task.get("task"), frames=task.get("frames"),
                    runningFor=task.get("runningFor"), _t=t)


def public(report: "Dict[str, Any]") -> "Dict[str, Any]":
    """The report without private keys (the summary's innermost user frame)."""
    out = {k: v for k, v in report.items() if not k.startswith("_")}
    out["failures"] = [{k: v for k, v in f.items() if not k.startswith("_")}
                       for f in report.get("failures", [])]
    return out


def _task_text(task: "Optional[Dict[str, Any]]") -> str:
    if not task or not task.get("function"):
        return ""
    text = " task %s(%s)" % (task["function"], ", ".join(
        list(task.get("args") or []) +
        ["%s=%s" % kv for kv in (task.get("kwargs") or {}).items()]))
    if task.get("index") is not None:
        text += " index %s" % task["index"]
    return text


def _at_line(at: "Optional[Dict[str, Any]]", task: "Optional[Dict[str, Any]]") -> "List[str]":
    if at:
        return ["      at %s:%s in %s" % (at.get("file"), at.get("line"), at.get("function"))]
    if task and task.get("submittedAt"):
        sa = task["submittedAt"]
        return ["      submitted at %s:%s" % (sa.get("file"), sa.get("line"))]
    return []


def _failure_lines(f: "Dict[str, Any]") -> "List[str]":
    who = "%s (pid %s)" % (f.get("worker") or f.get("thread") or "?", f.get("pid"))
    if f["kind"] == "hang":  # recorded by the pool's owner: the pid is not the lost worker's
        who = f.get("worker") or "?"
    if f["kind"] == "thread-exception":
        who = "thread %s in %s" % (f.get("thread"), who)
    lines = ["  [%s] %s%s" % (f["kind"], who, _task_text(f.get("task")))]
    exc = f.get("exception")
    if exc:
        lines.append("      %s: %s" % (exc.get("type"), exc.get("message")))
    elif f["kind"] == "stall":
        lines.append("      running for %.1f s with no task finished since; program ended"
                     % float(f.get("runningFor") or 0))
    elif f.get("reason") == wire.HANG_JOIN_BEFORE_DRAIN:
        return lines + ["      %s; program ended" % drain_sentence(f)]  # both places are in it
    elif f["kind"] == "hang":
        lines.append("      pool could no longer finish; program%s ended" % (
            " (pid %s)" % f["pid"] if f.get("pid") is not None else ""))
    elif f.get("signal") or f.get("exitCode") is not None:
        lines.append("      %s" % (("killed by " + f["signal"]) if f.get("signal")
                                   else "exited with status %s" % f.get("exitCode")))
        if f.get("cause"):
            lines.append("      cause: %s" % f["cause"])
    return lines + _at_line(f.get("_at"), f.get("task"))


def _in_flight_lines(report: "Dict[str, Any]") -> "List[str]":
    tasks = report.get("inFlight") or []
    lines = ["workerscope: main process killed by %s; %d task%s %s in flight" % (
        report.get("_mainSignal"), len(tasks), "" if len(tasks) == 1 else "s",
        "was" if len(tasks) == 1 else "were")]
    for t in tasks:
        lines.append("  [in flight] %s (pid %s)%s, running for %.1f s" % (
            t.get("worker") or "?", t.get("pid"), _task_text(t.get("task")),
            float(t.get("runningFor") or 0)))
        lines += _at_line(innermost_user_frame(t.get("frames")), None)
    return lines


def summary(report: "Dict[str, Any]", report_path: "Optional[str]" = None) -> str:
    failures = report.get("failures") or []
    races = report.get("races") or []
    lines = _in_flight_lines(report) if report.get("_mainSignal") else []
    before = [f for f in failures if not f.get("afterMainEnded")]
    after = [f for f in failures if f.get("afterMainEnded")]
    if not failures and not races:
        lines.append("workerscope: no worker failures (exit status %s)" % report.get("exitCode"))
    else:
        lines.append("workerscope: %d failure%s, %d race%s (exit status %s)" % (
            len(failures), "" if len(failures) == 1 else "s", len(races),
            "" if len(races) == 1 else "s", report.get("exitCode")))
    for f in before:
        lines += _failure_lines(f)
    for r in races:
        lines.append("  [race] %s:%s %s on %s x%s in pids %s" % (
            r["file"], r["line"], r["kind"], r["object"], r["count"],
            ",".join(str(p) for p in r["pids"])))
    if after:
        lines.append("workerscope: after the main process was killed (consequences, not causes):")
        for f in after:
            lines += _failure_lines(f)
    left = [p for p in report.get("processes") or [] if p.get("outlived")]
    if left:
        lines.append("workerscope: %d process%s outlived the main process and %s ended: %s" % (
            len(left), "" if len(left) == 1 else "es", "was" if len(left) == 1 else "were",
            ", ".join("%s (pid %s)" % (p["name"], p["pid"]) if p.get("name")
                      else "pid %s" % p.get("pid") for p in left)))
    if report_path:
        lines.append("workerscope: report written to %s" % report_path)
    return "\n".join(lines) + "\n"
