/**
 * The Pool.map benchmark program the tracer and timeline overhead benches both run:
 * `python workload.py TASKS [CHUNKSIZE]` squares TASKS numbers in a pool of two and prints the sum.
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
