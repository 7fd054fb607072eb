"""What debugging costs a parallel program, Workerscope beside debugpy, in one run: a fork
Pool(2).map of 10,000 small tasks ("pool") and of 200 call-heavy tasks (recursive fib in each,
"fib"), run plain; under Workerscope's tracer in a debug session with no breakpoint, with one
breakpoint in code that never runs, and stepping through the task's loop in one worker; and
under debugpy with subProcess (no client; and driven by a DAP client as an editor does, with
the same cold breakpoint, and stepping). Also how fast a step or a continue is answered.
Interleaved runs; medians and minimums of the work's wall time (timed inside the program) and
CPU time (the program and its workers), and the CPU time of a fib task, e.g.
  /usr/bin/python3 scripts/bench/debugger_cost.py --repeat 7
  python3.12 scripts/bench/debugger_cost.py --repeat 7 --variants plain,ws-nobp,ws-cold,ws-step"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import debugger_dap  # noqa: E402
import debugger_ws  # noqa: E402
from debugger_steps import STEPS, StepLog, dap_stepper, ws_stepper  # noqa: E402

BOOTSTRAP = os.path.join(os.path.dirname(os.path.dirname(HERE)), "debug-adapter", "python",
                         "bootstrap")

PROGRAM = '''\
import json, os, sys, time

def never():
    return 1  # COLD

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

def task(x):
    started, cpu = time.time(), time.thread_time()
    r = 0
    for k in range(LOOP):
        r += x * k  # HOT
        r += fib(FIB)
    if TIMED:
        return os.getpid(), started, time.time() - started, time.thread_time() - cpu
    return r

def main(kind):
    global LOOP, FIB, TIMED
    LOOP, FIB, TIMED, tasks = (1, 0, False, 10000) if kind == "pool" else (4, 15, True, 200)
    import multiprocessing
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        results = pool.map(task, range(tasks))
    work = time.perf_counter() - start
    import resource
    cpu = sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))
    print(json.dumps({"work": work, "cpu": cpu, "tasks": results if TIMED else None}))

if __name__ == "__main__":
    main(sys.argv[1])
'''

KINDS = ("pool", "fib")
WS_VARIANTS = ("plain", "ws-nobp", "ws-cold", "ws-step")
DEBUGPY_VARIANTS = ("debugpy-noclient", "debugpy-cold", "debugpy-step")
RUN_TIMEOUT = 300.0


def _line_of(marker: str) -> int:
    return next(i for i, line in enumerate(PROGRAM.splitlines(), 1) if line.endswith(marker))


COLD_LINE, HOT_LINE = _line_of("# COLD"), _line_of("# HOT")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(cmd: "list", env: "dict | None", cwd: str) -> "subprocess.Popen":
    """Output into files, not pipes: debugpy's adapter inherits them and outlives the program
    (until its client leaves), so waiting for the pipes' end would wait for it."""
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err)
    proc.files = (out, err)  # type: ignore[attr-defined]
    return proc


def _finish(proc: "subprocess.Popen", started: float) -> dict:
    try:
        proc.wait(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    whole = time.perf_counter() - started
    out, err = proc.files  # type: ignore[attr-defined]
    out.seek(0)
    err.seek(0)
    stdout, stderr = out.read(), err.read()
    out.close()
    err.close()
    if proc.returncode != 0:
        raise RuntimeError("exit %s: %s" % (proc.returncode, stderr.decode(errors="replace")[-2000:]))
    result = json.loads(stdout.decode().strip().splitlines()[-1])
    result["whole"] = whole
    return result


def _step_log() -> StepLog:
    log = StepLog()
    log.call_line = HOT_LINE + 1  # r += fib(FIB)
    return log


def run_ws(python: str, program: str, kind: str, variant: str) -> dict:
    workdir = os.path.dirname(program)
    channel = tempfile.mkdtemp(prefix="ws-bench-ch-", dir=workdir)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKERSCOPE_")}
    cmd = [python, program, kind]
    try:
        if variant != "plain":
            env.update(PYTHONPATH=BOOTSTRAP, WORKERSCOPE_CHANNEL=channel,
                       WORKERSCOPE_BREAKPOINTS="1")
            target = os.path.realpath(program)
            files = {"ws-nobp": {}, "ws-cold": {target: [{"id": 1, "line": COLD_LINE}]},
                     "ws-step": {target: [{"id": 2, "line": HOT_LINE, "condition": "x == 0"}]}}
            debugger_ws.write_spec(channel, 1, files[variant])  # the runtime writes it always
        started = time.perf_counter()
        proc = _start(cmd, env, workdir)
        log = None
        if variant == "ws-step":
            log = _step_log()
            driver = threading.Thread(target=ws_stepper, args=(channel, proc, log), daemon=True)
            driver.start()
        result = _finish(proc, started)
        if log is not None:
            driver.join(5)
            result["steps"] = log.as_dict()
        return result
    finally:
        shutil.rmtree(channel, ignore_errors=True)


def run_debugpy(python: str, program: str, kind: str, variant: str) -> dict:
    port = _free_port()
    cmd = [python, "-m", "debugpy", "--listen", "127.0.0.1:%d" % port,
           "--configure-subProcess", "true"]
    if variant != "debugpy-noclient":
        cmd.append("--wait-for-client")
    cmd += [program, kind]
    started = time.perf_counter()
    proc = _start(cmd, None, os.path.dirname(program))
    if variant == "debugpy-noclient":
        return _finish(proc, started)
    target = os.path.realpath(program)
    log = _step_log() if variant == "debugpy-step" else None
    if variant == "debugpy-cold":
        client = debugger_dap.Client(port, {target: [{"line": COLD_LINE}]})
    else:
        client = debugger_dap.Client(port, {target: [{"line": HOT_LINE, "condition": "x == 0"}]})
        client.on_stopped = dap_stepper(client, log)
    try:
        client.start()
        result = _finish(proc, started)
    finally:
        client.close()
    if client.errors:
        result["clientErrors"] = client.errors[:5]
    if log is not None:
        result["steps"] = log.as_dict()
    return result


def run(python: str, program: str, kind: str, variant: str) -> dict:
    if variant.startswith("debugpy"):
        return run_debugpy(python, program, kind, variant)
    return run_ws(python, program, kind, variant)


def _other_worker_ms(results: "list", log: "dict") -> "float | None":
    """Median task CPU time of the workers that never stopped, over the tasks run wholly while one
    worker was being stepped."""
    window = log.get("window")
    if not window or not log.get("pid"):
        return None
    durations = [cpu for pid, start, wall, cpu in results
                 if pid != log["pid"] and start >= window[0] and start + wall <= window[1]]
    return 1000 * statistics.median(durations) if durations else None


def _ms(values: "list", q: float) -> "float | None":
    if not values:
        return None
    values = sorted(values)
    return round(1000 * values[min(len(values) - 1, int(q * len(values)))], 1)


def summarize(runs: "dict", kind: str) -> dict:
    summary = {}
    plain = statistics.median(r["work"] for r in runs["plain"]) if runs.get("plain") else None
    plain_cpu = statistics.median(r["cpu"] for r in runs["plain"]) if runs.get("plain") else None
    for variant, results in runs.items():
        if not results:
            continue
        works = [r["work"] for r in results]
        cpus = [r["cpu"] for r in results]
        entry = {"medianS": round(statistics.median(works), 3), "minS": round(min(works), 3),
                 "cpuMedianS": round(statistics.median(cpus), 3), "cpuMinS": round(min(cpus), 3),
                 "wholeMedianS": round(statistics.median(r["whole"] for r in results), 3),
                 "runs": len(works)}
        if plain:
            entry["ratio"] = round(statistics.median(works) / plain, 2)
            entry["cpuRatio"] = round(statistics.median(cpus) / plain_cpu, 2)
        if kind == "fib":
            # CPU time of a task (a preempted task's wall time is the machine's load, not ours);
            # median, not mean: a stepped run has one task that waited for the steps.
            per_run = [1000 * statistics.median(t[3] for t in r["tasks"]) for r in results]
            entry["taskCpuMedianMs"] = round(statistics.median(per_run), 3)
        steps = [r["steps"] for r in results if "steps" in r]
        if steps:
            plain_lat = [x for s in steps for x in s["latency"]]
            call_lat = [x for s in steps for x in s["latencyOverCall"]]
            recorded = [x for s in steps for x in s.get("latencyRecorded", [])]
            cont = [s["continue"] for s in steps if s.get("continue") is not None]
            entry["steps"] = {
                "stepsPerRun": STEPS, "samples": len(plain_lat) + len(call_lat),
                "latencyMedianMs": _ms(plain_lat, 0.5), "latencyP95Ms": _ms(plain_lat, 0.95),
                "overCallMedianMs": _ms(call_lat, 0.5), "overCallP95Ms": _ms(call_lat, 0.95),
                "continueMedianMs": _ms(cont, 0.5), "continueP95Ms": _ms(cont, 0.95),
                "recordedMedianMs": _ms(recorded, 0.5), "recordedP95Ms": _ms(recorded, 0.95),
                "errors": sorted({s["error"] for s in steps if s.get("error")})}
            if kind == "fib":
                other = [m for m in (_other_worker_ms(r["tasks"], r["steps"]) for r in results)
                         if m is not None]
                entry["steps"]["otherWorkerTaskCpuMedianMs"] = (round(statistics.median(other), 2)
                                                       if other else None)
        summary[variant] = entry
    return summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--variants", default=None,
                        help="comma-separated; default: all, debugpy's only if importable")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args()
    subprocess.run([args.python, "-m", "compileall", "-q",
                    os.path.join(os.path.dirname(BOOTSTRAP), "workerscope_tracer")], check=True)
    version = subprocess.run([args.python, "-c", "import sys; print(sys.version.split()[0])"],
                             stdout=subprocess.PIPE, check=True).stdout.decode().strip()
    variants = list(WS_VARIANTS)
    if subprocess.run([args.python, "-c", "import debugpy"], stderr=subprocess.DEVNULL).returncode == 0:
        variants += DEBUGPY_VARIANTS
    if args.variants:
        variants = [v for v in args.variants.split(",") if v]
    workdir = tempfile.mkdtemp(prefix="ws-bench-dbg-")
    program = os.path.join(workdir, "bench.py")
    with open(program, "w") as f:
        f.write(PROGRAM)
    report = {"python": args.python, "version": version, "repeat": args.repeat, "kinds": {}}
    try:
        for kind in args.kinds.split(","):
            runs = {v: [] for v in variants}  # type: dict
            errors = {}  # type: dict
            for v in variants:  # warm-up: page cache, .pyc files
                try:
                    run(args.python, program, kind, v)
                except Exception as exc:
                    errors[v] = str(exc)[-500:]
            for _ in range(args.repeat):  # interleaved: drift hits every variant alike
                for v in variants:
                    if v in errors:
                        continue
                    try:
                        runs[v].append(run(args.python, program, kind, v))
                    except Exception as exc:
                        errors[v] = str(exc)[-500:]
            summary = summarize(runs, kind)
            report["kinds"][kind] = {"variants": summary, "errors": errors}
            print("python %s, %s, %d runs: %s" % (version, kind, args.repeat,
                                                  json.dumps(summary, indent=1)))
            if errors:
                print("errors: %s" % json.dumps(errors, indent=1))
            sys.stdout.flush()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(json.dumps(report))


if __name__ == "__main__":
    main()
