"""Runs a child on another interpreter (argv[1], e.g. a Python 2.7 or 3.6), which inherits
the environment (PYTHONPATH included), and passes its output and status through."""
import subprocess
import sys

done = subprocess.run([sys.argv[1], "-c", "import sys; print('child says', sys.version_info[0])"],
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
sys.stdout.write(done.stdout.decode())
sys.stderr.write(done.stderr.decode())
print("child status", done.returncode)
