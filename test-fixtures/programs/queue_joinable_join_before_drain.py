"""The same deadlock with a JoinableQueue: the child sends a small header (written into the
pipe at once) and then three 200 kB chunks from a helper, and the parent joins it before
reading anything. The three chunks are what the child cannot flush."""
import multiprocessing

from _common import start_method


def send_chunks(out, count):
    for n in range(count):
        out.put(bytes(200_000))


def export(out):
    out.put("header")
    send_chunks(out, 3)


if __name__ == "__main__":
    start_method()
    out = multiprocessing.JoinableQueue()
    exporter = multiprocessing.Process(target=export, args=(out,), name="exporter")
    exporter.start()
    exporter.join()
    print("header", out.get())
