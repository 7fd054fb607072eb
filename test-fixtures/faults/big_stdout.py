"""Writes 50 MB to stdout in lines of varying length, from the main process and a pool."""
import multiprocessing
import sys


def block(i):
    return ("%06d " % i + "x" * (i % 97) + "\n") * 200


if __name__ == "__main__":
    out = sys.stdout
    written = 0
    with multiprocessing.Pool(2) as pool:
        for text in pool.imap(block, range(100000), chunksize=64):
            out.write(text)
            written += len(text)
            if written >= 50 * 1024 * 1024:
                break
    out.flush()
    sys.stderr.write("wrote %d bytes\n" % written)
