"""apply_async with kwargs: one task raises and the parent retrieves it with get()."""
import multiprocessing

from _common import start_method


def resize(image_id, width=100):
    if width <= 0:
        raise RuntimeError("width must be positive for image %s" % image_id)
    return (image_id, width)


if __name__ == "__main__":
    start_method()
    with multiprocessing.Pool(2) as pool:
        good = pool.apply_async(resize, ("a",), {"width": 10})
        bad = pool.apply_async(resize, ("b",), {"width": -1})
        print(good.get(timeout=30))
        try:
            bad.get(timeout=30)
        except RuntimeError as exc:
            print("apply_async failed:", exc)
