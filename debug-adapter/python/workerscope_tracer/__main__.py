"""Entry point for ``python -m workerscope_tracer``."""

import sys

from .tools.supervisor import exit_now, main

if __name__ == "__main__":
    exit_now(main(sys.argv[1:]))
