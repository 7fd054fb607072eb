"""Opt-in (``--detect-races``) detection of unlocked read-modify-writes on shared objects.

``multiprocessing.Value``/``Array`` wrappers and Manager value/list/dict proxies note each
read made without a lock held; a write of the same object (and index) from the same frame
and line that follows such a read is an unlocked read-modify-write (``v.value += 1``).
Counts are emitted per process at exit as ``race`` events.  Nothing is patched unless the
flag is on.
"""

import sys
import threading
import weakref

from . import runtime, wire

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any, Callable, Dict, Tuple

_held = threading.local()
_locks: "weakref.WeakSet[Any]" = weakref.WeakSet()
_last_read: "Dict[Tuple[int, int, Any], Tuple[int, int]]" = {}
_counts: "Dict[Tuple[str, int, str], int]" = {}
_names: "Dict[Tuple[int, int], str]" = {}


def _any_lock_held(own: "Any") -> bool:
    if getattr(_held, "n", 0) > 0:
        return True
    for lock in ([own] if own is not None else []) + list(_locks):
        try:
            semlock = getattr(lock, "_semlock", None)  # another kind of lock: not known to be held
            if semlock is not None and semlock._is_mine():
                return True
        except Exception:
            runtime.swallowed()
    return False


def _index_key(index: "Any") -> "Any":
    return index if isinstance(index, (int, str)) or index is None else repr(index)


def _object_name(frame: "Any", obj: "Any") -> str:
    for namespace in (frame.f_locals, frame.f_globals):
        try:
            for name, value in namespace.items():
                if value is obj:
                    return name
        except Exception:  # a namespace changed while read (another thread): name it by type
            runtime.swallowed()
    return type(obj).__name__


def note_read(obj: "Any", index: "Any", own_lock: "Any", depth: int = 2) -> None:
    if _any_lock_held(own_lock):
        return
    frame = sys._getframe(depth)
    _last_read[(threading.get_ident(), id(obj), _index_key(index))] = (id(frame), frame.f_lineno)


def note_write(obj: "Any", index: "Any", own_lock: "Any", depth: int = 2) -> None:
    key = (threading.get_ident(), id(obj), _index_key(index))
    previous = _last_read.pop(key, None)
    if previous is None or _any_lock_held(own_lock):
        return
    frame = sys._getframe(depth)
    if previous != (id(frame), frame.f_lineno):
        return
    name = _names.get((id(frame.f_code), id(obj)))
    if name is None:
        name = _names[(id(frame.f_code), id(obj))] = _object_name(frame, obj)
    ckey = (frame.f_code.co_filename, frame.f_lineno, name)  # what flush() reports
    _counts[ckey] = _counts.get(ckey, 0) + 1


def flush() -> None:
    import os
    for (file, line, name), count in list(_counts.items()):
        runtime.emit(wire.RACE, file=os.path.abspath(file), line=line,
                     raceKind="unlocked-read-modify-write", object=name, count=count)
    _counts.clear()


def _wrap_property(cls: "Any", attr: str, lock_of: "Callable[[Any], Any]") -> None:
    prop = cls.__dict__.get(attr)
    if not isinstance(prop, property):
        return
    fget, fset = prop.fget, prop.fset

    def getter(self: "Any") -> "Any":
        note_read(self, None, lock_of(self))
        return fget(self)

    def setter(self: "Any", value: "Any") -> None:
        note_write(self, None, lock_of(self))
        fset(self, value)

    setattr(cls, attr, property(getter, setter, prop.fdel, prop.__doc__))


def _wrap_items(cls: "Any", lock_of: "Callable[[Any], Any]") -> None:
    getitem, setitem = cls.__dict__.get("__getitem__"), cls.__dict__.get("__setitem__")
    if getitem is None or setitem is None:
        return

    def __getitem__(self: "Any", index: "Any") -> "Any":
        note_read(self, index, lock_of(self))
        return getitem(self, index)

    def __setitem__(self: "Any", index: "Any", value: "Any") -> None:
        note_write(self, index, lock_of(self))
        setitem(self, index, value)

    cls.__getitem__, cls.__setitem__ = __getitem__, __setitem__


def _own_lock(obj: "Any") -> "Any":
    return getattr(obj, "_lock", None)


def _no_lock(obj: "Any") -> "Any":
    return None


def patch_sharedctypes(module: "Any") -> None:
    if not runtime.claim(module, "_workerscope_races"):
        return
    _wrap_property(module.Synchronized, "value", _own_lock)
    _wrap_items(module.SynchronizedArray, _own_lock)
    from .hooks_process import add_exit_hook
    add_exit_hook(flush)


def patch_synchronize(module: "Any") -> None:
    cls = module.SemLock
    if not runtime.claim(cls, "_workerscope_races"):
        return
    make_methods = cls._make_methods

    def _make_methods(self: "Any") -> None:
        make_methods(self)
        try:
            _locks.add(self)
        except TypeError:
            pass

    cls._make_methods = _make_methods


def _counting(method: "Callable[..., Any]", delta: int) -> "Callable[..., Any]":
    def wrapper(self: "Any", *args: "Any", **kwargs: "Any") -> "Any":
        result = method(self, *args, **kwargs)
        if delta < 0 or result is not False:
            _held.n = max(0, getattr(_held, "n", 0) + delta)
        return result
    return wrapper


def patch_managers(module: "Any") -> None:
    if not runtime.claim(module, "_workerscope_races"):
        return
    _wrap_property(module.ValueProxy, "value", _no_lock)
    for name in ("ListProxy", "DictProxy"):
        cls = getattr(module, name, None)
        if cls is not None:
            base = next((c for c in cls.__mro__ if "__getitem__" in c.__dict__), None)
            if base is not None:
                _wrap_items(base, _no_lock)
    acquirer = getattr(module, "AcquirerProxy", None)
    if acquirer is not None:
        for attr, delta in (("acquire", 1), ("__enter__", 1), ("release", -1), ("__exit__", -1)):
            method = acquirer.__dict__.get(attr)
            if method is not None:
                setattr(acquirer, attr, _counting(method, delta))
    from .hooks_process import add_exit_hook
    add_exit_hook(flush)


def patchers() -> "Dict[str, Callable[[Any], None]]":
    return {"multiprocessing.sharedctypes": patch_sharedctypes,
            "multiprocessing.synchronize": patch_synchronize,
            "multiprocessing.managers": patch_managers}
