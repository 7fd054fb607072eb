"""What line breakpoints cost a program when none is hit: fib(25) five times (calls) and a
10,000-task Pool(2).map (fork), traced without WORKERSCOPE_BREAKPOINTS, with it and no
breakpoint, and with one breakpoint in code that never runs (in another file, and in the
benchmark's own file). Per configuration, the median and the minimum of --repeat runs of the
work's wall time (timed inside the program) and of the CPU time of the whole run, all processes
(the minimum is the figure least disturbed by other load on the machine), e.g.
  python3.12 scripts/bench/breakpoint_cost.py --repeat 7"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BOOTSTRAP = os.path.join(os.path.dirname(os.path.dirname(HERE)), "debug-adapter", "python",
                         "bootstrap")

PROGRAM = '''\
import sys, time

def never():
    return 1  # the breakpoint

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

def square(x):
    return x * x

def main(kind):
    start = time.perf_counter()
    if kind == "fib":
        for _ in range(5):
            fib(25)
    else:
        import multiprocessing
        with multiprocessing.get_context("fork").Pool(2) as pool:
            pool.map(square, range(10000))
    print(time.perf_counter() - start)

if __name__ == "__main__":
    main(sys.argv[1])
'''

CONFIGS = ("traced", "bp-env", "bp-other-file", "bp-same-file")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(python: str, workdir: str, config: str, kind: str) -> "tuple[float, float]":
    channel = tempfile.mkdtemp(prefix="ws-bench-", dir=workdir)
    program = os.path.join(workdir, "bench.py")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKERSCOPE_")}
    env.update(PYTHONPATH=BOOTSTRAP, WORKERSCOPE_CHANNEL=channel)
    if config != "traced":
        env["WORKERSCOPE_BREAKPOINTS"] = "1"
    if config in ("bp-other-file", "bp-same-file"):
        target = program if config == "bp-same-file" else os.path.join(workdir, "other.py")
        spec = {"version": 1, "files": {os.path.realpath(target): [{"id": 1, "line": 4}]}}
        with open(os.path.join(channel, "breakpoints.json"), "w") as f:
            json.dump(spec, f)
    cpu = _children_cpu()
    try:
        out = subprocess.run([python, program, kind], env=env, cwd=workdir, check=True,
                             stdout=subprocess.PIPE).stdout
    finally:
        shutil.rmtree(channel, ignore_errors=True)
    return float(out.decode().split()[-1]), _children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    # Every process imports the tracer: from its bytecode, as in a session (the runtime has it
    # compiled), not compiled anew each time under PYTHONDONTWRITEBYTECODE.
    subprocess.run([args.python, "-m", "compileall", "-q",
                    os.path.join(os.path.dirname(BOOTSTRAP), "workerscope_tracer")], check=True)
    workdir = tempfile.mkdtemp(prefix="ws-bench-bp-")
    try:
        with open(os.path.join(workdir, "bench.py"), "w") as f:
            f.write(PROGRAM)
        with open(os.path.join(workdir, "other.py"), "w") as f:
            f.write("\n\n\nx = 1\n")
        version = subprocess.run([args.python, "-c", "import sys; print(sys.version.split()[0])"],
                                 stdout=subprocess.PIPE, check=True).stdout.decode().strip()
        print("python %s, median of %d runs, seconds (vs traced)" % (version, args.repeat))
        for kind in ("fib", "pool"):
            runs = {c: [] for c in CONFIGS}  # type: dict
            for _ in range(args.repeat):  # interleaved: drift hits every config alike
                for config in CONFIGS:
                    runs[config].append(run(args.python, workdir, config, kind))
            for label, index in (("wall", 0), ("cpu", 1)):
                for name, pick in (("median", statistics.median), ("min", min)):
                    got = {c: pick(r[index] for r in runs[c]) for c in CONFIGS}
                    cells = ["%s %.3f (%+.1f%%)" % (c, got[c], 100 * (got[c] / got["traced"] - 1))
                             for c in CONFIGS]
                    print("  %-4s %-4s %-6s  %s" % (kind, label, name, "  ".join(cells)))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
