handler = lambda x: x  # noqa: E731
