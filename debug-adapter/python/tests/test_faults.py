"""Hostile programs, inputs and environments under ``python -m workerscope_tracer``: each
fault program (test-fixtures/faults) runs plainly and traced, and stdout, the program's stderr,
its exit status or signal and the files it wrote must be the same, with no channel directory
left behind. The Node twin is debug-adapter/test/faults.test.ts (``workerscope run``)."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

from tests.faults import (DEADLINE, FAULTS, command, environment, fault, old_interpreters,
                          read_line, run)
from tests.helpers import PY_DIR, start_methods, wait_for

SIGNALS_KILLING = ("SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM", "SIGUSR1", "SIGUSR2")


class FaultCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ws-faults-")
        self.channels = os.path.join(self.tmp, "channels")  # TMPDIR of every run
        os.mkdir(self.channels)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def assertNoChannelLeft(self):
        self.assertEqual(os.listdir(self.channels), [], "a channel directory was left behind")

    def assertSameOutcome(self, plain, traced):
        self.assertEqual(traced.status, plain.status, (plain, traced))
        self.assertEqual(traced.stdout, plain.stdout)
        self.assertEqual(traced.stderr, plain.stderr)


class ClosedDescriptors(FaultCase):
    def test_the_program_s_own_file_gets_nothing_of_the_tracer_and_loses_nothing(self):
        # fork always: a forked worker inherits the descriptor the program's file reused.
        for method in ["fork"] + [m for m in start_methods() if m != "fork"]:
            with self.subTest(method=method):
                files = {}
                outcomes = {}
                for traced in (False, True):
                    out = os.path.join(self.tmp, "%s-%s.txt" % (method, traced))
                    outcomes[traced] = run(traced, fault("closed_descriptors"), [out, method],
                                           self.channels)
                    with open(out, "rb") as f:
                        files[traced] = sorted(f.read().splitlines())
                self.assertSameOutcome(outcomes[False], outcomes[True])
                self.assertEqual(files[True], files[False])
                self.assertEqual(len(files[False]), 8)  # main start/end and six workers
                self.assertNoChannelLeft()


class UnusableTmpdir(FaultCase):
    def unusable(self):
        missing = os.path.join(self.tmp, "missing")
        a_file = os.path.join(self.tmp, "a-file")
        open(a_file, "w").close()
        cases = {"missing": missing, "file": a_file}
        if os.geteuid() != 0:  # root writes anywhere: a 0500 directory is no test for it
            locked = os.path.join(self.tmp, "locked")
            os.mkdir(locked, 0o500)
            cases["unwritable"] = locked
        return cases

    def test_the_program_runs_traced_with_the_channel_where_tempfile_would_look(self):
        for what, tmpdir in self.unusable().items():
            with self.subTest(tmpdir=what):
                # TEMP names the next candidate, as it would for tempfile.
                plain = run(False, fault("bare_fork"), channel_tmp=tmpdir, TEMP=self.channels)
                traced = run(True, fault("bare_fork"), channel_tmp=tmpdir, TEMP=self.channels)
                self.assertSameOutcome(plain, traced)
                self.assertNoChannelLeft()

    def test_with_no_private_directory_anywhere_the_program_runs_untraced_with_one_line(self):
        # The tracer is bound at /mnt first: a checkout under /tmp would vanish with it.
        script = r"""
set -e
src=$(cat "$1")
mount --bind "$2" /mnt
mount -t tmpfs tmpfs /tmp && mkdir /tmp/p && printf '%s\n' "$src" > /tmp/p/prog.py
mount -o remount,ro /tmp
for d in /var/tmp /usr/tmp; do [ -d "$d" ] && mount -t tmpfs -o ro tmpfs "$d"; done
cd /tmp/p
export PYTHONPATH=/mnt TMPDIR=/nonexistent
"$3" -m workerscope_tracer prog.py; echo "status $?"
"""
        probe = subprocess.run(["unshare", "-rm", "--propagation", "private", "true"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) \
            if shutil.which("unshare") else None
        if probe is None or probe.returncode != 0 or not os.path.isdir("/mnt"):
            self.skipTest("no unshare -rm here: cannot make every temporary directory unusable")
        proc = subprocess.run(["unshare", "-rm", "--propagation", "private", "sh", "-c", script,
                               "sh", fault("session_leader"), PY_DIR, sys.executable],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=DEADLINE)
        plain = run(False, fault("session_leader"), channel_tmp=self.channels)
        self.assertEqual(proc.stdout, plain.stdout + b"status 0\n", proc.stderr)
        lines = proc.stderr.decode().splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertRegex(lines[0], r"^workerscope: no private temporary directory could be made "
                                   r"\(tried .*/nonexistent .*\): the program runs untraced$")


class Signals(FaultCase):
    def run_signalled(self, traced, signame, handled):
        stop = os.path.join(self.tmp, "stop")
        if os.path.exists(stop):
            os.unlink(stop)
        args = [stop] + ([signame] if handled else [])
        proc = subprocess.Popen(command(traced, fault("signals"), args), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, cwd=FAULTS,
                                env=environment(traced, self.channels))
        try:
            out = read_line(proc.stdout) + read_line(proc.stdout)
            self.assertTrue(out.endswith(b"ready\n"), out)
            os.kill(proc.pid, getattr(signal, signame))
            if handled:
                out += read_line(proc.stdout)
                open(stop, "w").close()
            rest, err = proc.communicate(timeout=DEADLINE)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        return out + rest, err, proc.returncode

    def test_each_signal_a_shell_delivers_reaches_the_program_once(self):
        for signame in SIGNALS_KILLING + ("SIGWINCH",):
            for handled in (False, True):
                if signame == "SIGWINCH" and not handled:
                    continue  # ignored by default: nothing would ever end the program
                with self.subTest(signal=signame, handled=handled):
                    plain = self.run_signalled(False, signame, handled)
                    traced = self.run_signalled(True, signame, handled)
                    self.assertEqual(traced[2], plain[2])
                    self.assertEqual(traced[0], plain[0])
                    if signame == "SIGINT" and not handled:
                        # The traceback's line depends on where the interrupt landed.
                        self.assertEqual(traced[1].splitlines()[-1:], [b"KeyboardInterrupt"])
                    else:
                        self.assertNotIn(b"Traceback", traced[1])
                    self.assertNoChannelLeft()

    def test_keys_typed_at_a_terminal_reach_the_program_once(self):
        # Ctrl-C, Ctrl-\ and Ctrl-Z signal the terminal's whole foreground group, program
        # included: the tracer must not pass them on a second time.
        seen = []
        for traced in (False, True):
            stop = os.path.join(self.tmp, "stop-%s" % traced)
            proc = subprocess.run(
                [sys.executable, fault("pty_driver"), stop, "\\x03,\\x1c,\\x1a", "--"]
                + command(traced, fault("terminal_keys"), [stop, "SIGINT,SIGQUIT,SIGTSTP"]),
                stdout=subprocess.PIPE, env=environment(traced, self.channels),
                timeout=DEADLINE + 10)
            result = json.loads(proc.stdout)
            # The terminal's echo of the keys (^C) lands wherever the timing puts it.
            got = re.findall(r"got [A-Z ]*", result["output"])
            seen.append((got, result["status"]))
        self.assertEqual(seen[0], (["got SIGINT SIGQUIT SIGTSTP"], 0))
        self.assertEqual(seen[1], seen[0])
        self.assertNoChannelLeft()

    def test_ctrl_z_stops_the_run_and_sigcont_lets_it_finish(self):
        if _process_group_orphaned():
            self.skipTest("an orphaned process group: SIGTSTP stops nothing in it")
        for traced in (False, True):
            with self.subTest(traced=traced):
                stop = os.path.join(self.tmp, "stop")
                proc = subprocess.Popen(command(traced, fault("signals"), [stop]),
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        cwd=FAULTS, env=environment(traced, self.channels))
                try:
                    read_line(proc.stdout)
                    read_line(proc.stdout)
                    os.kill(proc.pid, signal.SIGTSTP)
                    _, status = os.waitpid(proc.pid, os.WUNTRACED)
                    self.assertTrue(os.WIFSTOPPED(status), status)
                    open(stop, "w").close()
                    os.kill(proc.pid, signal.SIGCONT)
                    out, _ = proc.communicate(timeout=DEADLINE)
                finally:
                    if proc.returncode is None:
                        proc.kill()
                        proc.communicate()
                self.assertEqual(out, b"end\n")
                self.assertEqual(proc.returncode, 0)
                os.unlink(stop)
                self.assertNoChannelLeft()


def _process_group_orphaned():
    """True when no member of this process group has its parent in another group of the same
    session (tests started by a background job whose shell has left): the kernel discards
    SIGTSTP there, so a stop can never be observed."""
    def stat(pid):
        with open("/proc/%d/stat" % pid, "rb") as f:
            text = f.read()
        fields = text[text.rindex(b")") + 2:].split()
        return int(fields[1]), int(fields[2]), int(fields[3])  # ppid, pgrp, session
    try:
        _, group, session = stat(os.getpid())
    except (OSError, ValueError):
        return False
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            ppid, member_group, _ = stat(int(name))
            if member_group != group:
                continue
            _, parent_group, parent_session = stat(ppid)
        except (OSError, ValueError):
            continue
        if parent_group != group and parent_session == session:
            return False
    return True


def _alive(pid):
    """Running (a zombie waiting to be reaped by init counts as gone)."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            text = f.read()
    except OSError:
        return False
    return text[text.rindex(b")") + 2:].split()[0] != b"Z"


class ProcessStructure(FaultCase):
    def test_the_program_can_make_itself_a_session_leader(self):
        plain = run(False, fault("session_leader"), channel_tmp=self.channels)
        self.assertIn(b"main session leader now: True", plain.stdout)
        self.assertSameOutcome(plain, run(True, fault("session_leader"),
                                          channel_tmp=self.channels))
        self.assertNoChannelLeft()

    def test_a_bare_fork_is_a_traced_process_and_its_uncaught_exception_a_failure(self):
        plain = run(False, fault("bare_fork"), channel_tmp=self.channels)
        report_path = os.path.join(self.tmp, "report.json")
        traced = run(True, fault("bare_fork"), channel_tmp=self.channels,
                     options=["--report", report_path])
        self.assertSameOutcome(plain, traced)
        self.assertIn(b"ValueError: bad shard 1", plain.stderr)
        with open(report_path) as f:
            report = json.load(f)
        forked = [p for p in report["processes"] if p["name"] == "os.fork()"]
        self.assertEqual(sorted(p["exitCode"] for p in forked), [0, 0, 1, 3], forked)
        main = report["processes"][0]["pid"]
        self.assertEqual({p["ppid"] for p in forked}, {main})
        # The uncaught exception, and the one os._exit(0) silenced; os._exit(3) is a status.
        self.assertEqual([f["kind"] for f in report["failures"]], ["exception", "exception"])
        by_message = {f["exception"]["message"]: f for f in report["failures"]}
        self.assertEqual(sorted(by_message), ["bad shard 1", "bad shard 3"])
        for n, failure in enumerate(sorted(by_message.values(), key=lambda f: f["exception"]["message"])):
            self.assertEqual(failure["exception"]["type"], "ValueError")
            self.assertEqual(failure["frames"][-1]["function"], "shard")
            self.assertEqual(failure["frames"][-1]["locals"]["total"], "%d0" % (2 * n + 1))
            self.assertEqual(failure["task"]["submittedAt"]["line"], 17)
        self.assertNoChannelLeft()

    @unittest.skipUnless(os.path.exists("/proc/self/stat"), "the whole tree is found through /proc")
    def test_a_hang_s_kill_reaches_the_whole_tree_without_a_process_group(self):
        from workerscope_tracer.tools import tree
        channel = tempfile.mkdtemp(prefix="ws-tree-", dir=self.tmp)
        env = environment(False, self.channels, WORKERSCOPE_CHANNEL=channel,
                          PYTHONPATH=os.path.join(PY_DIR, "bootstrap"))
        proc = subprocess.Popen([sys.executable, fault("process_tree")], stdout=subprocess.PIPE,
                                env=env, cwd=FAULTS)
        pids = []
        try:
            line = read_line(proc.stdout).split()
            self.assertEqual(line[0], b"pids")
            pids = [int(p) for p in line[1:]]
            self.assertEqual(len(pids), 5)
            self.assertEqual(sorted(tree.program_processes(proc.pid, channel)), sorted(pids))
            tree.signal_tree(proc.pid, channel, signal.SIGKILL)
            self.assertEqual(proc.wait(timeout=DEADLINE), -signal.SIGKILL)
            gone = wait_for(lambda: not any(_alive(p) for p in pids), timeout=DEADLINE)
            self.assertTrue(gone, [p for p in pids if _alive(p)])
        finally:
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            proc.stdout.close()
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    def test_a_warning_of_os_fork_still_names_the_program_s_line(self):
        plain = run(False, fault("threaded_fork"), channel_tmp=self.channels)
        traced = run(True, fault("threaded_fork"), channel_tmp=self.channels)
        pids = re.compile(rb"pid=\d+")
        self.assertEqual(pids.sub(b"pid=N", traced.stderr), pids.sub(b"pid=N", plain.stderr))
        self.assertEqual((traced.stdout, traced.status), (plain.stdout, plain.status))
        if sys.version_info >= (3, 12):
            self.assertIn(b"threaded_fork.py:9: DeprecationWarning", plain.stderr)

    def test_pool_workers_forked_by_multiprocessing_are_announced_once(self):
        report_path = os.path.join(self.tmp, "report.json")
        run(True, fault("closed_descriptors"), [os.path.join(self.tmp, "out.txt"), "fork"],
            channel_tmp=self.channels, options=["--report", report_path])
        with open(report_path) as f:
            report = json.load(f)
        roles = sorted(p["role"] for p in report["processes"])
        self.assertEqual(roles, ["main", "pool-worker", "pool-worker"])


class Streams(FaultCase):
    def test_50_mb_of_stdout_pass_through_unchanged(self):
        plain = run(False, fault("big_stdout"), channel_tmp=self.channels)
        self.assertGreaterEqual(len(plain.stdout), 50 * 1024 * 1024)
        self.assertSameOutcome(plain, run(True, fault("big_stdout"), channel_tmp=self.channels))

    def test_stdin_passes_through_line_by_line_then_in_bulk(self):
        bulk = bytes(range(256)) * 4096
        outcomes = []
        for traced in (False, True):
            proc = subprocess.Popen(command(traced, fault("stdin_echo"), []),
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, cwd=FAULTS,
                                    env=environment(traced, self.channels))
            try:
                answers = b""
                for word in (b"alpha", b"beta"):
                    proc.stdin.write(word + b"\n")
                    proc.stdin.flush()
                    answers += read_line(proc.stdout)  # answered before more input comes
                out, err = proc.communicate(b"quit\n" + bulk, timeout=DEADLINE)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.communicate()
            outcomes.append((answers + out, err, proc.returncode))
        self.assertEqual(outcomes[1], outcomes[0])
        self.assertTrue(outcomes[0][0].startswith(b"echo ahpla\necho ateb\nrest 1048576 "))


class UnsupportedInterpreters(FaultCase):
    def test_a_child_on_an_old_interpreter_sees_nothing_of_the_bootstrap(self):
        interpreters = old_interpreters()
        if not interpreters:
            self.skipTest("no Python 2 or 3.0-3.7 here (the simulated guard test still runs)")
        source = os.path.join(PY_DIR, "bootstrap", "sitecustomize.py")
        for python in interpreters:
            with self.subTest(python=python):
                check = subprocess.run([python, "-c", "import sys; compile(open(sys.argv[1]).read(),"
                                        " sys.argv[1], 'exec')", source],
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                self.assertEqual(check.returncode, 0, check.stdout)
                plain = run(False, fault("old_interpreter_child"), [python],
                            channel_tmp=self.channels)
                self.assertIn(b"child status 0", plain.stdout)
                self.assertSameOutcome(plain, run(True, fault("old_interpreter_child"), [python],
                                                  channel_tmp=self.channels))

    def test_the_version_guard_installs_nothing_below_3_8(self):
        # Simulated: this interpreter claims to be 3.7 before the bootstrap runs as sitecustomize.
        code = ("import sys\n"
                "sys.version_info = (3, 7, 16, 'final', 0)\n"
                "sys.path.insert(0, sys.argv[1])\n"
                "import sitecustomize\n"
                "print(sorted(m for m in sys.modules if m.startswith('workerscope')), "
                "sys.argv[1] in sys.path)\n")
        env = environment(True, self.channels, WORKERSCOPE_CHANNEL=self.channels)
        proc = subprocess.run([sys.executable, "-S", "-c", code, os.path.join(PY_DIR, "bootstrap")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                              timeout=DEADLINE)
        self.assertEqual((proc.stdout, proc.stderr), (b"[] False\n", b""))


class HostilePaths(FaultCase):
    def test_programs_in_a_directory_with_spaces_and_non_ascii_run_the_same(self):
        where = os.path.join(self.tmp, "dir with spaces", "ünï")
        channels = os.path.join(self.tmp, "tmp with spaces", "ünï")
        os.makedirs(where)
        os.makedirs(channels)
        self.channels = channels
        for name in ("bare_fork", "closed_descriptors"):
            shutil.copy(fault(name), where)
        copy = os.path.join(where, "bare_fork.py")
        self.assertSameOutcome(run(False, copy, channel_tmp=channels),
                               run(True, copy, channel_tmp=channels))
        copy = os.path.join(where, "closed_descriptors.py")
        outcomes, files = [], []
        for traced in (False, True):
            out = os.path.join(where, "out %s ü.txt" % traced)
            outcomes.append(run(traced, copy, [out, "spawn"], channel_tmp=channels))
            with open(out, "rb") as f:
                files.append(sorted(f.read().splitlines()))
        self.assertSameOutcome(*outcomes)
        self.assertEqual(files[1], files[0])
        self.assertNoChannelLeft()


if __name__ == "__main__":
    unittest.main()
