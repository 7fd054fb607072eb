"""Sends a lambda to a process pool: the task cannot be pickled."""
from concurrent.futures import ProcessPoolExecutor


def main():
    with ProcessPoolExecutor(max_workers=2) as executor:
        results = list(executor.map(lambda x: x + 1, range(5)))
    print(results)


if __name__ == "__main__":
    main()
