"""Pool.map with chunksize 3: element 7 raises ValueError; the parent catches and reports it."""
import multiprocessing

from _common import start_method


def parse_record(record):
    scaled = record * 10
    if record == 7:
        raise ValueError("bad record %d" % record)
    return scaled


if __name__ == "__main__":
    start_method()
    with multiprocessing.Pool(2) as pool:
        try:
            print(pool.map(parse_record, range(12), chunksize=3))
        except ValueError as exc:
            print("map failed:", exc)
