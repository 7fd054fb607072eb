"""Compiles the tracer's modules for the interpreter that runs the program, once, so that no
traced process compiles them from source (pool workers under spawn each import them)."""

import os
import sys

from . import BOOTSTRAP_DIR


def ensure_bytecode(python: str) -> None:
    """Compile the tracer's modules once even under PYTHONDONTWRITEBYTECODE.

    Every traced process (each pool worker under spawn) imports the top level; compiling
    from source each time would cost milliseconds per process.  The supervisor's own modules
    (this directory) are compiled alongside: it starts anew for every run too.
    """
    if os.path.realpath(python) != os.path.realpath(sys.executable):
        return  # another interpreter has another cache tag; it compiles (or caches) itself
    tag = getattr(sys.implementation, "cache_tag", None)
    if not tag or getattr(sys, "pycache_prefix", None):
        return
    tools = os.path.dirname(os.path.abspath(__file__))
    sources = [os.path.join(folder, n) for folder in (os.path.dirname(tools), tools)
               for n in os.listdir(folder) if n.endswith(".py")]
    sources.append(os.path.join(BOOTSTRAP_DIR, "sitecustomize.py"))
    stale = []
    for src in sources:
        folder, name = os.path.split(src)
        cached = os.path.join(folder, "__pycache__", "%s.%s.pyc" % (name[:-3], tag))
        if not _bytecode_matches(src, cached):
            stale.append((src, cached))
    if stale:
        import py_compile
        for src, cached in stale:
            try:
                py_compile.compile(src, cfile=cached, doraise=True)
            except OSError:
                pass  # a read-only install: its processes compile from source, as they did
            except Exception:
                from ..channel import swallowed
                swallowed()


def _bytecode_matches(src: str, cached: str) -> bool:
    """The interpreter's own test: the .pyc header records the source's mtime and size (file
    times alone mislead once a tree has been copied)."""
    try:
        with open(cached, "rb") as f:
            head = f.read(16)
        st = os.stat(src)
    except OSError:
        return False
    magic = getattr(sys.modules.get("_frozen_importlib_external"), "MAGIC_NUMBER", None)
    if len(head) < 16 or head[:4] != magic:
        return False
    if int.from_bytes(head[4:8], "little") & 1:
        return True  # hash-based .pyc: validated (or deliberately not) by the interpreter
    return (int.from_bytes(head[8:12], "little") == int(st.st_mtime) & 0xFFFFFFFF
            and int.from_bytes(head[12:16], "little") == st.st_size & 0xFFFFFFFF)
