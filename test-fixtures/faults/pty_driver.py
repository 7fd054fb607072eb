"""Runs a command as the foreground job of a new terminal (a pty), types KEYS (e.g. ^C ^\\ ^Z,
as "\\x03,\\x1c,\\x1a") once it has printed "ready", creates STOPFILE, and prints a JSON object:
the command's output (as the terminal showed it) and its status. A test tool, not a fault
program. Usage: pty_driver.py STOPFILE KEYS -- command [args...]."""
import json
import os
import pty
import select
import sys
import time

stop, keys = sys.argv[1], sys.argv[2].encode().decode("unicode_escape").split(",")
command = sys.argv[sys.argv.index("--") + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)
output = b""
deadline = time.monotonic() + 60
typed = None
while time.monotonic() < deadline:
    if select.select([fd], [], [], 0.05)[0]:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the terminal's last reader is gone
            break
        if not chunk:
            break
        output += chunk
    if typed is None and b"ready" in output:
        for key in keys:
            os.write(fd, key.encode("latin-1"))
            time.sleep(0.3)  # each key is a separate event, as typed
        typed = time.monotonic()
    if typed is not None and time.monotonic() - typed > 1.0 and not os.path.exists(stop):
        open(stop, "w").close()
_, status = os.waitpid(pid, 0)
print(json.dumps({"output": output.decode("utf-8", "replace"),
                  "status": os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode")
                  else status}))
