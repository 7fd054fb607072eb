"""The terminal launcher (``tools/terminal.py``, launch attribute ``console``) against a stand-in
for the runtime: a Unix socket in a private directory that answers the launcher's hello and
records what it is told. The program's status, signal, input and signal dispositions must be
those of a plain run."""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import unittest

from tests.helpers import PY_DIR, clean_env, wait_for

LAUNCHER = os.path.join(PY_DIR, "workerscope_tracer", "tools", "terminal.py")


class Runtime:
    """Listens where the runtime would and keeps every message of the one launcher it accepts."""

    def __init__(self, start=True, why="not now"):
        self.channel = tempfile.mkdtemp(prefix="ws-term-")
        os.chmod(self.channel, 0o700)
        self.messages = []
        self.closed = threading.Event()
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(os.path.join(self.channel, "terminal.sock"))
        self.server.listen(1)
        self.answer = {"start": True} if start else {"start": False, "why": why}
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        link, _ = self.server.accept()
        received = b""
        while True:
            chunk = link.recv(4096)
            if not chunk:
                break
            received += chunk
            while b"\n" in received:
                line, received = received.split(b"\n", 1)
                message = json.loads(line.decode("utf-8"))
                self.messages.append(message)
                if "hello" in message:
                    link.sendall((json.dumps(self.answer) + "\n").encode("utf-8"))
        link.close()
        self.closed.set()

    def launch(self, *program, stdin=b"", new_session=False):
        env = clean_env()
        env["WORKERSCOPE_TERMINAL_CHANNEL"] = self.channel
        proc = subprocess.Popen([sys.executable, "-S", LAUNCHER, "--"] + list(program),
                                env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=new_session)
        if stdin is not None:
            proc.stdin.write(stdin)
            proc.stdin.close()
            proc.stdin = None  # communicate() then only reads
        return proc

    def told(self, key):
        return [m[key] for m in self.messages if key in m]

    def close(self):
        self.server.close()
        for name in os.listdir(self.channel):
            os.unlink(os.path.join(self.channel, name))
        os.rmdir(self.channel)


PROBE = (
    "import os, signal, sys\n"
    "line = input()\n"
    "print(os.getpid(), os.getppid(), os.environ['WORKERSCOPE_CHANNEL'],"
    " os.environ['WORKERSCOPE_LAUNCHER'], 'WORKERSCOPE_TERMINAL_CHANNEL' in os.environ,"
    " signal.getsignal(signal.SIGINT) is signal.default_int_handler,"
    " signal.getsignal(signal.SIGTERM) == signal.SIG_DFL, line)\n"
    "sys.exit(5)\n"
)


class TerminalLauncherTest(unittest.TestCase):
    def runtime(self, **kwargs):
        runtime = Runtime(**kwargs)
        self.addCleanup(runtime.close)
        return runtime

    def test_program_reads_input_and_its_status_is_passed_on(self):
        runtime = self.runtime()
        proc = runtime.launch(sys.executable, "-c", PROBE, stdin=b"hello there\n")
        out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 5, err)
        pid, ppid, channel, launcher, leaked, sigint, sigterm, *line = out.decode().split()
        self.assertEqual((int(ppid), int(launcher)), (proc.pid, proc.pid))
        self.assertEqual(channel, runtime.channel)
        self.assertEqual((leaked, sigint, sigterm), ("False", "True", "True"))
        self.assertEqual(line, ["hello", "there"])
        self.assertTrue(runtime.closed.wait(10))
        self.assertEqual(runtime.told("launcher"), [proc.pid])
        self.assertEqual(runtime.told("pid"), [int(pid)])
        self.assertEqual(runtime.told("exit"), [5])
        self.assertEqual(runtime.told("signal"), [])

    def test_a_signal_that_ends_the_program_ends_the_launcher(self):
        runtime = self.runtime()
        proc = runtime.launch(sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)")
        proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, -signal.SIGTERM)
        self.assertTrue(runtime.closed.wait(10))
        self.assertEqual(runtime.told("signal"), [signal.SIGTERM])

    def test_ctrl_c_to_the_job_interrupts_the_program_not_the_launcher(self):
        runtime = self.runtime()
        proc = runtime.launch(sys.executable, "-c", "import sys; print('ready', flush=True); sys.stdin.read()",
                              stdin=None, new_session=True)
        self.assertEqual(proc.stdout.readline(), b"ready\n")
        os.killpg(proc.pid, signal.SIGINT)  # as the terminal does: the whole foreground group
        _, err = proc.communicate(timeout=60)
        self.assertIn(b"KeyboardInterrupt", err)
        self.assertEqual(proc.returncode, -signal.SIGINT)
        self.assertTrue(runtime.closed.wait(10))
        self.assertEqual(runtime.told("signal"), [signal.SIGINT])

    def test_sigterm_to_the_launcher_is_passed_to_the_program(self):
        runtime = self.runtime()
        proc = runtime.launch(sys.executable, "-c", "import time; print('ready', flush=True); time.sleep(60)",
                              stdin=None)
        self.assertEqual(proc.stdout.readline(), b"ready\n")
        proc.terminate()
        proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, -signal.SIGTERM)
        self.assertTrue(runtime.closed.wait(10))
        self.assertEqual(runtime.told("signal"), [signal.SIGTERM])

    def test_a_hangup_is_reported_and_the_launcher_waits_for_the_program(self):
        runtime = self.runtime()
        proc = runtime.launch(sys.executable, "-c", "import sys; print('ready', flush=True); sys.exit(len(sys.stdin.read()))",
                              stdin=None)
        self.assertEqual(proc.stdout.readline(), b"ready\n")
        proc.send_signal(signal.SIGHUP)
        self.assertTrue(wait_for(lambda: runtime.told("hangup") == [True], timeout=10))
        self.assertIsNone(proc.poll())
        proc.communicate(b"abc", timeout=60)
        self.assertEqual(proc.returncode, 3)
        self.assertTrue(runtime.closed.wait(10))
        self.assertEqual(runtime.told("exit"), [3])

    def test_a_refused_start_runs_nothing(self):
        runtime = self.runtime(start=False, why="the session gave up")
        marker = os.path.join(runtime.channel, "ran")
        proc = runtime.launch(sys.executable, "-c", "open(%r, 'w').close()" % marker)
        _, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 1)
        self.assertIn(b"the session gave up", err)
        self.assertFalse(os.path.exists(marker))
        self.assertEqual(runtime.told("pid"), [])

    def test_no_session_to_ask_runs_nothing(self):
        channel = tempfile.mkdtemp(prefix="ws-term-")
        self.addCleanup(os.rmdir, channel)
        env = clean_env()
        env["WORKERSCOPE_TERMINAL_CHANNEL"] = channel
        proc = subprocess.run([sys.executable, "-S", LAUNCHER, "--", sys.executable, "-c", "print('ran')"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(proc.stdout, b"")
        self.assertIn(b"the debug session that started this terminal has ended", proc.stderr)

    def test_a_program_that_cannot_start_is_reported(self):
        runtime = self.runtime()
        proc = runtime.launch("/nonexistent/python3", "script.py")
        _, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 127)
        self.assertIn(b"could not start /nonexistent/python3", err)
        self.assertTrue(runtime.closed.wait(10))
        self.assertEqual(len(runtime.told("error")), 1)
        self.assertEqual(runtime.told("pid"), [])


if __name__ == "__main__":
    unittest.main()
