"""Running the fault programs (test-fixtures/faults) plainly and under the tracer, and
comparing what a user can see: stdout, the program's stderr, how it ended, the files it wrote.
Shared by test_faults (``python -m workerscope_tracer``) and reused by its Node twin's layout."""

import os
import subprocess
import sys
import time

from tests.helpers import PY_DIR, REPO, clean_env

FAULTS = os.path.join(REPO, "test-fixtures", "faults")
DEADLINE = 60.0


def fault(name):
    return os.path.join(FAULTS, name + ".py")


class Outcome:
    __slots__ = ("stdout", "stderr", "status")

    def __init__(self, stdout, stderr, status):
        self.stdout, self.stderr, self.status = stdout, stderr, status

    def __repr__(self):
        return "Outcome(status=%r, stdout=%r, stderr=%r)" % (
            self.status, self.stdout[-300:], self.stderr[-300:])


def program_stderr(text):
    """The program's own stderr: the tracer's lines (its summary, from the first line that
    starts with "workerscope: ") cut off."""
    lines = text.splitlines(True)
    for i, line in enumerate(lines):
        if line.startswith(b"workerscope: "):
            return b"".join(lines[:i])
    return text


def command(traced, path, args, options=()):
    """``options`` are the tracer's own (``--report FILE``)."""
    if traced:
        return [sys.executable, "-m", "workerscope_tracer"] + list(options) + ["--", path] \
            + list(args)
    return [sys.executable, path] + list(args)


def environment(traced, channel_tmp, **extra):
    env = clean_env()
    if traced:
        env["PYTHONPATH"] = PY_DIR + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["TMPDIR"] = channel_tmp
    env.update(extra)
    return env


def run(traced, path, args=(), channel_tmp="/tmp", cwd=None, stdin=b"", timeout=DEADLINE,
        options=(), **extra):
    """Runs the program to its end; returns its Outcome (stderr: the program's own)."""
    proc = subprocess.run(command(traced, path, args, options), input=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, cwd=cwd or os.path.dirname(path),
                          env=environment(traced, channel_tmp, **extra), timeout=timeout)
    return Outcome(proc.stdout, program_stderr(proc.stderr), proc.returncode)


def read_line(stream, timeout=DEADLINE):
    """One line from a pipe, or AssertionError once the deadline has passed."""
    import select
    deadline = time.monotonic() + timeout
    data = b""
    while not data.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([stream], [], [], left)[0]:
            raise AssertionError("no line within %.0f s (got %r)" % (timeout, data))
        chunk = os.read(stream.fileno(), 1)
        if not chunk:
            raise AssertionError("end of output before a full line (got %r)" % data)
        data += chunk
    return data


def old_interpreters():
    """Interpreters the tracer does not support (Python 2, 3.0-3.7) found on this machine."""
    import glob
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    found = sorted(glob.glob(os.path.join(root, "versions", "2.*", "bin", "python"))
                   + glob.glob(os.path.join(root, "versions", "3.[0-7].*", "bin", "python")))
    for name in ("python2", "python2.7"):
        for directory in os.environ.get("PATH", "").split(os.pathsep):
            candidate = os.path.join(directory, name)
            if os.access(candidate, os.X_OK) and "shims" not in candidate:
                found.append(candidate)
    return [p for p in found if os.access(p, os.X_OK)]
