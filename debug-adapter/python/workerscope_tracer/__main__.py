"""Entry point for ``python -m workerscope_tracer``."""

import sys

from .supervisor import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
