"""A pool task fails on one input: the tracer names the worker, the task and the raising line."""
import multiprocessing


def parse_record(line):
    fields = line.split(",")
    price = float(fields[1])
    return fields[0], price * 1.1


if __name__ == "__main__":
    records = ["apple,1.20", "pear,0.80", "plum,n/a", "fig,2.10"]
    with multiprocessing.Pool(2) as pool:
        print(pool.map(parse_record, records))
