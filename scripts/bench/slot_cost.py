"""Instructions a worker spends per task marking its slot busy and idle: run under callgrind at
two task counts and divide the difference, e.g.
  valgrind --tool=callgrind python3 -S scripts/bench/slot_cost.py . 1000
  valgrind --tool=callgrind python3 -S scripts/bench/slot_cost.py . 11000
(TREE is a checkout of Workerscope; the figure is (I[11000] - I[1000]) / 10000)."""
import mmap
import sys

sys.path.insert(0, sys.argv[1] + "/debug-adapter/python")
from workerscope_tracer import runtime, wire  # noqa: E402

runtime.state.slot = memoryview(mmap.mmap(-1, wire.SLOT_SIZE)).cast("q")
begin, end = runtime.slot_begin, runtime.slot_end
for i in range(int(sys.argv[2])):
    begin(1, i)
    end()
