"""Counts the signals it receives (those named in HANDLED, comma-separated), says "ready",
and once STOPFILE appears (at most 60 s) prints what it got. Usage: STOPFILE HANDLED."""
import os
import signal
import sys
import time

got = []
for name in sys.argv[2].split(","):
    signal.signal(getattr(signal, name), lambda signum, _frame: got.append(signal.Signals(signum).name))
print("ready", flush=True)
deadline = time.monotonic() + 60
while not os.path.exists(sys.argv[1]) and time.monotonic() < deadline:
    time.sleep(0.02)
print("got", " ".join(got), flush=True)
