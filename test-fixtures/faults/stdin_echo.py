"""Reads stdin line by line, answering each line at once (an interactive exchange), until
"quit"; then reads the rest in one go and prints its size and checksum."""
import hashlib
import sys

stdin = sys.stdin.buffer
for line in iter(stdin.readline, b""):
    if line.strip() == b"quit":
        break
    print("echo", line.strip()[::-1].decode(), flush=True)
rest = stdin.read()
print("rest", len(rest), hashlib.sha256(rest).hexdigest())
