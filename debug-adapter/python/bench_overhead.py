"""Wall-time overhead of the tracer on a Pool.map of small tasks (stdlib only).

Runs the same workload plain, under the Python supervisor (as typed in a terminal, with and
without the JSON report, and with a second interpreter for the program) and, when importable,
under ``python -m debugpy`` with subProcess tracing, N times each (interleaved), and prints
medians and overhead percentages.  The editor's path (the Node runtime starting the program
itself) is measured by scripts/bench/tracerOverhead.ts.  Usage: python3 bench_overhead.py [--runs N] [--tasks N]
[--chunksize N] [--start-method M] [--python PATH]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))

WORKLOAD = '''
import multiprocessing, sys

def sq(x):
    return x * x

if __name__ == "__main__":
    method = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "default" else None
    if method:
        multiprocessing.set_start_method(method)
    with multiprocessing.Pool(2) as pool:
        chunksize = int(sys.argv[3]) if len(sys.argv) > 3 else None
        total = sum(pool.map(sq, range(int(sys.argv[2])), chunksize))
    print(total)
'''


def debugpy_available(python: str) -> bool:
    probe = subprocess.run([python, "-c", "import debugpy"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    return probe.returncode == 0


def timed(cmd: List[str], env: Dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit("command failed (%d): %s\n%s" % (proc.returncode, " ".join(cmd),
                                                          proc.stderr.decode(errors="replace")))
    return elapsed


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--tasks", type=int, default=10000)
    parser.add_argument("--chunksize", type=int, default=None,
                        help="Pool.map's chunksize (default: CPython's choice); 1 measures the "
                             "per-task cost")
    parser.add_argument("--start-method", default="default")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--no-debugpy", action="store_true",
                        help="skip the debugpy variant (it takes minutes on large runs)")
    parser.add_argument("--json", action="store_true",
                        help="also print the medians and overheads as one JSON line")
    opts = parser.parse_args(argv)

    workdir = tempfile.mkdtemp(prefix="workerscope-bench-")
    script = os.path.join(workdir, "pool_map_bench.py")
    with open(script, "w") as f:
        f.write(WORKLOAD)
    env = dict(os.environ)
    env.pop("WORKERSCOPE_CHANNEL", None)
    traced_env = dict(env, PYTHONPATH=HERE + (os.pathsep + env["PYTHONPATH"]
                                              if env.get("PYTHONPATH") else ""))
    args = [script, opts.start_method, str(opts.tasks)]
    if opts.chunksize is not None:
        args.append(str(opts.chunksize))
    report = os.path.join(workdir, "report.json")
    variants = {
        "plain": ([opts.python] + args, env),
        # What a terminal user types: the supervisor forks its interpreter into the program.
        "workerscope": ([opts.python, "-m", "workerscope_tracer", "--no-summary", "--"] + args,
                        traced_env),
        # The same with the JSON report, from the launcher script.
        "workerscope+report": ([opts.python, os.path.join(HERE, "workerscope_supervise.py"),
                                "--no-summary", "--report", report, "--"] + args, env),
        # A second interpreter for the program (used for another --python or a zip app).
        "workerscope-fresh": ([opts.python, "-m", "workerscope_tracer", "--no-summary", "--"]
                              + args, dict(traced_env, WORKERSCOPE_FRESH_INTERPRETER="1")),
    }
    if opts.no_debugpy:
        pass
    elif debugpy_available(opts.python):
        port = "5678"
        variants["debugpy"] = ([opts.python, "-m", "debugpy", "--listen", "127.0.0.1:" + port,
                                "--configure-subProcess", "true"] + args, env)
    else:
        print("debugpy: not importable by %s, skipped" % opts.python)

    times: Dict[str, List[float]] = {name: [] for name in variants}
    for name, (cmd, venv) in variants.items():  # warm-up (page cache, .pyc files)
        timed(cmd, venv)
    for _ in range(opts.runs):
        for name, (cmd, venv) in variants.items():
            times[name].append(timed(cmd, venv))
    plain = statistics.median(times["plain"])
    print("python %s, %d tasks, chunksize %s, start method %s, %d runs (median wall time)" % (
        opts.python, opts.tasks, opts.chunksize or "default", opts.start_method, opts.runs))
    summary = {}
    for name, values in times.items():
        med = statistics.median(values)
        summary[name] = {"medianMs": round(med * 1000, 1),
                         "overheadPercent": round((med / plain - 1) * 100, 1)}
        print("  %-20s %8.1f ms   overhead %+6.1f %%" % (name, med * 1000,
                                                        (med / plain - 1) * 100))
    if opts.json:
        import json
        print(json.dumps({"python": opts.python, "tasks": opts.tasks, "runs": opts.runs,
                          "chunksize": opts.chunksize,
                          "startMethod": opts.start_method, "variants": summary}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
