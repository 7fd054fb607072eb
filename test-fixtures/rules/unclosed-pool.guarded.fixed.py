"""A script's pool under the main guard is the script's own work: leaving it open is a leak."""
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import Pool


def square(x):
    return x * x


if __name__ == "__main__":
    with Pool(processes=3) as workers:  # [unclosed-pool]
        print(workers.map(square, range(10)))
    with ProcessPoolExecutor() as executor:  # [unclosed-pool]
        print(list(executor.map(square, range(4))))

# OK

if __name__ == "__main__":
    closed = Pool(2)
    print(closed.map(square, range(3)))
    closed.close()
    closed.join()
    with Pool(2) as managed:
        print(managed.map(square, range(3)))
    shut = ProcessPoolExecutor()
    try:
        print(list(shut.map(square, range(3))))
    finally:
        shut.shutdown()
