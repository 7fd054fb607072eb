"""Task functions reading the project module config's attributes in the worker."""
import config


def scaled(x):
    return x * config.SETTING


def limited(x):
    return min(x, config.LIMIT)


def init_limit(limit):
    config.LIMIT = limit
