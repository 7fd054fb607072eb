"""Shared helpers for the tracer tests: paths, running fixture programs, deadline polling, and a
test case that plays the runtime over a private channel."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from workerscope_tracer import channel, pause, wire

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


class ChannelCase(unittest.TestCase):
    """A test that plays the runtime for this process: a private channel directory (0700) made the
    tracer's channel for the test, its records read back, control requests written as the runtime
    writes them (atomically, by rename), and everything removed afterwards."""

    def setUp(self):
        self.dir = tempfile.mkdtemp()
        os.chmod(self.dir, 0o700)
        self.old_channel = channel.get()
        self.ch = channel.configure(self.dir)
        self.ctl = pause.ctl_dir(self.dir, os.getpid())

    def tearDown(self):
        channel._channel = self.old_channel
        shutil.rmtree(self.dir, ignore_errors=True)

    def records(self, kind=None):
        """This process's records so far, or only those of ``kind``."""
        try:
            with open(self.ch.path_for(os.getpid()), "rb") as f:
                got = wire.decode_lines(f.read())
        except OSError:
            return []
        return got if kind is None else [e for e in got if e["kind"] == kind]

    def write_control(self, name, data, pid=None):
        """Writes one control file under ctl/<pid>/ as the runtime does: a hidden temporary, renamed."""
        d = self.ctl if pid is None else pause.ctl_dir(self.dir, pid)
        os.makedirs(d, exist_ok=True)
        tmp = os.path.join(d, ".%s.tmp" % name)
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(d, name))
