"""A plain thread raises; the default 'Exception in thread' traceback still prints."""
import threading


def poll_sensor(sensor_id):
    reading = None
    return reading + sensor_id


if __name__ == "__main__":
    t = threading.Thread(target=poll_sensor, args=(4,), name="sensor-4")
    t.start()
    t.join()
    print("main done")
