"""The timeline's cost per span inside one process, in CPU time: spans written into the mapped
buffer (flushes to the channel included), and whole elements timed as a pool worker times a map
chunk's (clock, argument repr, formatting, buffer), beside the plain and the counted iteration.
Usage: PYTHONPATH=debug-adapter/python python3 scripts/bench/timeline_span_cost.py [N]"""

import json
import sys
import tempfile
import time

from workerscope_tracer import channel, runtime, timeline, timeline_pools


def cpu_us(fn, n):
    start = time.process_time()
    fn()
    return round((time.process_time() - start) * 1e6 / n, 3)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    channel.configure(tempfile.mkdtemp(prefix="ws-span-cost-"))
    runtime.state.timeline = True
    span = '["task",1,2,3,"1:pool:0",0,5,null,null,null,"5","ok",null]'
    items = list(range(n))
    slot = [0] * 7

    def sq(x):
        return x * x

    figures = {
        "spanWrittenUs": cpu_us(lambda: [timeline.add(span, 3) for _ in range(n)], n),
        "elementPlainUs": cpu_us(lambda: list(map(sq, iter(items))), n),
        "elementCountedUs": cpu_us(lambda: list(map(sq, runtime.counting(items, slot))), n),
        "elementTimedUs": cpu_us(lambda: list(map(sq, timeline_pools._timed(
            runtime.counting(items, slot), items, "1:pool:0", 0, False))), n),
    }
    timeline.flush()
    print(json.dumps(dict(figures, python=sys.version.split()[0], spans=n)))


if __name__ == "__main__":
    main()
