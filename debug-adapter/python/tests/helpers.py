"""Shared helpers for the tracer tests: paths, running fixture programs, deadline polling."""

import json
import os
import subprocess
import sys
import tempfile
import time

PY_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(os.path.dirname(PY_DIR))
PROGRAMS = os.path.join(REPO, "test-fixtures", "programs")
DEFAULT_PYTHON = (3, 11)


def start_methods():
    """All three on the default python3 (or WORKERSCOPE_FULL=1); one elsewhere (quick mode)."""
    full = os.environ.get("WORKERSCOPE_FULL") == "1" or (
        sys.version_info[:2] == DEFAULT_PYTHON and os.environ.get("WORKERSCOPE_QUICK") != "1")
    return ["fork", "spawn", "forkserver"] if full else ["spawn"]


def program(name):
    return os.path.join(PROGRAMS, name + ".py")


def clean_env():
    env = dict(os.environ)
    for key in list(env):
        if key.startswith("WORKERSCOPE_"):
            del env[key]
    return env


def run_plain(name, method, timeout=60):
    return subprocess.run([sys.executable, program(name), method], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=clean_env(), timeout=timeout, cwd=PROGRAMS)


def run_traced(name, method, *options, timeout=90):
    """Returns (completed process, report dict or None, elapsed seconds)."""
    workdir = tempfile.mkdtemp(prefix="ws-test-")
    report_path = os.path.join(workdir, "report.json")
    env = clean_env()
    env["PYTHONPATH"] = PY_DIR + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    cmd = [sys.executable, "-m", "workerscope_tracer", "--report", report_path] + list(options) \
        + ["--", program(name), method]
    start = time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                          timeout=timeout, cwd=PROGRAMS)
    elapsed = time.monotonic() - start
    report = None
    if os.path.exists(report_path):
        with open(report_path) as f:
            report = json.load(f)
        os.unlink(report_path)
    os.rmdir(workdir)
    return proc, report, elapsed


def wait_for(predicate, timeout=10.0, interval=0.01):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()
