/**
 * What the tracer and timeline overhead benches share: the Pool.map program both run
 * (`python workload.py TASKS [CHUNKSIZE]` squares TASKS numbers in a pool of two and prints the
 * sum), the clock and the median.
 */
export const POOL_MAP_WORKLOAD = `import multiprocessing
import sys

def sq(x):
    return x * x

if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        chunksize = int(sys.argv[2]) if len(sys.argv) > 2 else None
        total = sum(pool.map(sq, range(int(sys.argv[1])), chunksize))
    print(total)
`;

/** Milliseconds on the monotonic clock. */
export function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
