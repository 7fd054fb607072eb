"""Which code a debug session's stepping, pause and ``raised`` stops may stop in: with the
spec's ``justMyCode`` (default on) library code is the standard library, installed packages and
the tracer; the pool, executor and process machinery and the tracer are library either way, so
stepping out of a task never lands in them. Decided once per ``co_filename``."""

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Dict, Tuple

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
# The bootstrap's sitecustomize, which installs the tracer and chains the user's own.
_BOOTSTRAP_DIR = os.path.join(os.path.dirname(os.path.dirname(_PACKAGE_DIR)), "bootstrap", "")
_MACHINERY = (
    os.sep + "multiprocessing" + os.sep,
    os.sep + "concurrent" + os.sep + "futures" + os.sep,
    os.sep + "threading.py",
    os.sep + "runpy.py",
)
_library_dirs: "Tuple[str, ...]" = ()
_cache: "Dict[str, bool]" = {}
_just_my_code = True


def _dirs() -> "Tuple[str, ...]":
    """The install's library directories, as written and resolved (sysconfig is imported once,
    the first time a debug session steps, pauses or filters raised exceptions)."""
    import sysconfig
    found = set()
    try:
        paths = sysconfig.get_paths()
    except Exception:
        paths = {}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        if paths.get(key):
            found.add(paths[key])
    version = "python%d.%d" % sys.version_info[:2]
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}:
        found.add(os.path.join(prefix, "lib", version))
        found.add(os.path.join(prefix, "lib64", version))
    out = set()
    for path in found:
        out.add(os.path.join(path, ""))
        out.add(os.path.join(os.path.realpath(path), ""))
    return tuple(sorted(out))


def set_just_my_code(on: bool) -> None:
    global _just_my_code
    if bool(on) != _just_my_code:
        _just_my_code = bool(on)
        _cache.clear()


def _decide(filename: str) -> bool:
    global _library_dirs
    if filename.startswith("<"):
        return True
    full = os.path.abspath(filename)
    real = os.path.realpath(full)
    if full.startswith((_PACKAGE_DIR, _BOOTSTRAP_DIR)) or real.startswith(
            (_PACKAGE_DIR, _BOOTSTRAP_DIR)):
        return True
    if any(tail in full for tail in _MACHINERY) and not _user_named(full):
        return True
    if not _just_my_code:
        return False
    if not _library_dirs:
        _library_dirs = _dirs()
    if "dist-packages" + os.sep in real or "site-packages" + os.sep in real:
        return True
    return full.startswith(_library_dirs) or real.startswith(_library_dirs)


def _user_named(full: str) -> bool:
    """A user's own ``threading.py`` or ``multiprocessing/`` outside the install is user code."""
    global _library_dirs
    if not _library_dirs:
        _library_dirs = _dirs()
    return not full.startswith(_library_dirs) and not os.path.realpath(full).startswith(
        _library_dirs)


def is_library(filename: str) -> bool:
    """True when stepping and pause must not stop in code of this file."""
    hit = _cache.get(filename)
    if hit is None:
        hit = _cache[filename] = _decide(filename)
    return hit
