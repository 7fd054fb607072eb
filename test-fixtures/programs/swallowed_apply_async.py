"""Two failing apply_async tasks: one retrieved with get(), one waited on but never checked."""
import multiprocessing

from _common import start_method


def send_email(address):
    if "@" not in address:
        raise ValueError("invalid address %r" % address)
    return address


if __name__ == "__main__":
    start_method()
    with multiprocessing.Pool(2) as pool:
        checked = pool.apply_async(send_email, ("bob",))
        lost = pool.apply_async(send_email, ("alice",))
        handled = pool.apply_async(send_email, ("carol",), error_callback=lambda e: None)
        ok = pool.apply_async(send_email, ("dave@example.com",))
        lost.wait(30)
        handled.wait(30)
        try:
            checked.get(30)
        except ValueError:
            pass
        print("sent", ok.get(30))
