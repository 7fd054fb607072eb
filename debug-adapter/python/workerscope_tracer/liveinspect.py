"""Live inspection of a stopped thread for the debugger (pause.py serves the requests).

Expressions are evaluated in a frame; in the Debug Console ("repl") statements are executed
there and the frame's locals they assign are written back so the program sees them once it
goes on. Values with children get references numbered per stop; ``setVariable`` assigns a
local, a global, a dict or list item or an attribute. Imported only when a stop is asked.
"""

import sys
from types import BuiltinFunctionType, FrameType, FunctionType, MethodType, ModuleType

from .channel import swallowed
from .safe_repr import SECRET, safe_repr

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any, Dict, Iterator, List, Optional, Tuple

# One answer lists at most this many children; ``total`` says how many there are.
MAX_CHILDREN = 300
CONTEXTS = ("repl", "watch", "hover", "clipboard", "variables")
_SECRET_NAMES = ("authkey", "_authkey")
_SEQUENCES = (list, tuple, range)
_SETS = (set, frozenset)
_ROUTINES = (FunctionType, MethodType, BuiltinFunctionType, classmethod, staticmethod, property)
_FILE = "<workerscope-console>"


class InspectError(Exception):
    """A request that cannot be answered as asked: its message is the answer's error."""


def describe_error(exc: "BaseException") -> str:
    """``Type: message`` as the traceback's last line shows it (``NameError: name 'x' is not
    defined``); for a SyntaxError the line after its source and caret lines. Notes are left
    out: they are lines of their own after it."""
    if isinstance(exc, InspectError):
        return str(exc)
    try:
        import traceback
        te = traceback.TracebackException(type(exc), exc, None)
        te.__notes__ = None  # type: ignore[attr-defined]  (3.11+: notes follow the message)
        text = "".join(te.format_exception_only()).rstrip("\n")
        if isinstance(exc, SyntaxError):
            text = text.rsplit("\n", 1)[-1]
        return text or type(exc).__name__
    except BaseException:  # noqa: B902 — a user __str__ may raise anything
        swallowed()
        return "%s: <unprintable>" % _type_name(exc)


def _type_name(value: "Any") -> str:
    try:
        return type(value).__name__
    except BaseException:  # noqa: B902 — a user metaclass
        return "object"


# ---- children ------------------------------------------------------------------------------

def _deque() -> "Any":
    collections = sys.modules.get("collections")
    return getattr(collections, "deque", ()) if collections is not None else ()


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _slot_names(cls: type) -> "Iterator[Tuple[type, str]]":
    for klass in cls.__mro__:
        slots = klass.__dict__.get("__slots__", ())
        for slot in (slots,) if isinstance(slots, str) else slots:
            if isinstance(slot, str) and slot not in ("__dict__", "__weakref__"):
                if slot.startswith("__") and not slot.endswith("__"):
                    slot = "_%s%s" % (klass.__name__.lstrip("_"), slot)
                yield klass, slot


def _attributes(value: "Any") -> "List[Tuple[str, Any]]":
    """An object's own attributes: its ``__dict__`` then its set slots; no dunders, no
    methods of a class, no modules of a module. Read past any ``__getattribute__`` of its."""
    out: "List[Tuple[str, Any]]" = []
    try:
        namespace = object.__getattribute__(value, "__dict__")
    except BaseException:  # noqa: B902 — no __dict__, or a user descriptor raising
        namespace = None
    is_class = isinstance(value, type)
    is_module = isinstance(value, ModuleType)
    if namespace is not None:
        try:
            items = list(namespace.items())
        except BaseException:  # noqa: B902
            items = []
        for name, child in items:
            if not isinstance(name, str) or _is_dunder(name):
                continue
            if (is_class and isinstance(child, _ROUTINES)) or (is_module and isinstance(child, ModuleType)):
                continue
            out.append((name, child))
    if not is_class:
        seen = set(name for name, _ in out)
        for klass, slot in _slot_names(type(value)):
            descriptor = klass.__dict__.get(slot)
            if slot in seen or descriptor is None or not hasattr(descriptor, "__get__"):
                continue
            try:
                out.append((slot, descriptor.__get__(value, type(value))))
                seen.add(slot)
            except BaseException:  # noqa: B902 — an unset slot raises AttributeError
                pass
    return out


def _kind(value: "Any") -> str:
    if isinstance(value, (str, bytes, bytearray, int, float, complex)) or value is None:
        return "scalar"
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, _SEQUENCES) or isinstance(value, _deque()):
        return "sequence"
    if isinstance(value, _SETS):
        return "set"
    return "object"


def count_children(value: "Any") -> int:
    try:
        kind = _kind(value)
        if kind == "scalar":
            return 0
        if kind == "object":
            return len(_attributes(value))
        return len(value)
    except BaseException:  # noqa: B902 — a user __len__
        return 0


def children(value: "Any", start: int, count: int) -> "Tuple[List[Tuple[str, Any]], int]":
    """``count`` children of ``value`` from ``start``, named as the debugger shows them, and
    how many there are. Sequences are indexed, not copied: a list of a million is cheap."""
    from itertools import islice
    kind = _kind(value)
    if kind == "scalar":
        return [], 0
    if kind == "object":
        attributes = _attributes(value)
        return attributes[start:start + count], len(attributes)
    total = len(value)
    if kind == "dict":
        return [(safe_repr(k), v) for k, v in islice(value.items(), start, start + count)], total
    if kind == "set":
        return [(str(start + i), v) for i, v in enumerate(islice(value, start, start + count))], total
    end = min(total, start + count)
    if isinstance(value, _deque()):  # indexing a deque is linear: walk it once
        return [(str(start + i), v) for i, v in enumerate(islice(value, start, end))], total
    return [(str(i), value[i]) for i in range(start, end)], total


class Refs:
    """Values shown with children during one stop: reference n is the n-th of them. Kept alive
    until the stop resumes, so a reference stays valid as long as the debugger may use it."""

    def __init__(self) -> None:
        self.values: "List[Any]" = []
        self.by_id: "Dict[int, int]" = {}

    def ref(self, value: "Any") -> int:
        if count_children(value) == 0:
            return 0
        ref = self.by_id.get(id(value))
        if ref is None:
            self.values.append(value)
            ref = self.by_id[id(value)] = len(self.values)
        return ref

    def get(self, ref: "Any") -> "Any":
        if not isinstance(ref, int) or isinstance(ref, bool) or not 0 < ref <= len(self.values):
            raise InspectError("no variables reference %r in this stop" % (ref,))
        return self.values[ref - 1]

    def describe(self, value: "Any", name: "Optional[str]" = None) -> "Dict[str, Any]":
        """``value``, ``type`` and ``ref`` of a value as an answer carries it."""
        if name in _SECRET_NAMES:
            return {"value": SECRET, "type": _type_name(value), "ref": 0}
        return {"value": safe_repr(value), "type": _type_name(value), "ref": self.ref(value)}


# ---- frames --------------------------------------------------------------------------------

def frame_at(frames: "List[FrameType]", index: "Any") -> FrameType:
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(frames):
        raise InspectError("no frame %s" % (index,))
    return frames[index]


def _writable_locals(frame: FrameType) -> "Any":
    """The mapping whose changes become the frame's locals: 3.13's write-through proxy, the
    module's dict, or (3.8-3.12) the frame's own f_locals dict, which ``_write_back`` copies
    into the frame's fast locals. Read once: reading f_locals again refreshes that dict from
    the fast locals, undoing what was written into it."""
    return frame.f_locals


def _write_back(frame: FrameType, namespace: "Any") -> None:
    """3.8-3.12: copies the f_locals dict into the frame's fast locals and cells (clear=0: a
    name missing from it stays as it is). ctypes only now, in a debug session's stop."""
    if sys.version_info >= (3, 13) or namespace is frame.f_globals:
        return
    try:
        import ctypes
        locals_to_fast = ctypes.pythonapi.PyFrame_LocalsToFast
    except (ImportError, AttributeError) as exc:
        raise InspectError("the frame's locals cannot be changed here (%s)" % exc)
    locals_to_fast.argtypes = (ctypes.py_object, ctypes.c_int)
    locals_to_fast.restype = None
    locals_to_fast(frame, 0)


def _read_namespace(frame: FrameType) -> "Dict[str, Any]":
    """Names an expression sees in ``frame`` as one dict: its globals with its locals over
    them. A copy, as the globals of the evaluation, so that comprehensions and lambdas in the
    expression see the frame's locals (with separate locals they would not)."""
    merged = dict(frame.f_globals)
    if frame.f_locals is not frame.f_globals:
        merged.update(frame.f_locals)
    return merged


def compute(frame: FrameType, source: str) -> "Any":
    """The value of an expression in ``frame`` (setVariable's value, a watch, a hover)."""
    code = compile(source, _FILE, "eval", dont_inherit=True)
    return eval(code, _read_namespace(frame))


def evaluate(frame: FrameType, source: str, context: str, refs: Refs) -> "Dict[str, Any]":
    """The answer to ``evaluate``: an expression's value, or in "repl" statements executed in
    the frame (value "" and type None). Raises what the code raises."""
    try:
        code = compile(source, _FILE, "eval", dont_inherit=True)
    except SyntaxError:
        if context != "repl":
            raise
        code = compile(source, _FILE, "exec", dont_inherit=True)
        namespace = _writable_locals(frame)
        try:
            exec(code, frame.f_globals, namespace)
        finally:
            _flush_output()
        _write_back(frame, namespace)
        return {"value": "", "type": None, "ref": 0}
    if context != "repl":
        return refs.describe(eval(code, _read_namespace(frame)))
    try:
        value = eval(code, _read_namespace(frame))
    finally:
        _flush_output()
    # As Python's own prompt: `print(...)` shows what it prints, not a `None` after it.
    return {"value": "", "type": None, "ref": 0} if value is None else refs.describe(value)


def _flush_output() -> None:
    """What the console's code printed reaches the Debug Console now, not when the program's
    block-buffered stdout (a pipe) next fills."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except Exception:  # a closed or replaced stream: the program's own business
            swallowed()


def frame_variables(frame: FrameType, scope: "Any") -> "List[Tuple[str, Any]]":
    """A frame's locals or globals; globals (and a module frame's locals, which are them)
    leave out modules, dunders and ``__builtins__``."""
    if scope == "locals":
        namespace = frame.f_locals
    elif scope == "globals":
        namespace = frame.f_globals
    else:
        raise InspectError("no scope %r (locals or globals)" % (scope,))
    module_like = namespace is frame.f_globals
    out = []
    for name, value in list(namespace.items()):
        if not isinstance(name, str) or _is_dunder(name):
            continue
        if module_like and isinstance(value, ModuleType):
            continue
        out.append((name, value))
    return out


def variables(frames: "List[FrameType]", request: "Dict[str, Any]", refs: Refs) -> "Dict[str, Any]":
    """The answer to ``variables``: a frame scope's names, or a reference's children, paged."""
    start = _non_negative(request.get("start", 0), "start")
    count = _non_negative(request.get("count", 0), "count")
    count = MAX_CHILDREN if count == 0 else min(count, MAX_CHILDREN)
    if request.get("ref") is not None:
        items, total = children(refs.get(request.get("ref")), start, count)
    else:
        everything = frame_variables(frame_at(frames, request.get("frame", 0)), request.get("scope"))
        items, total = everything[start:start + count], len(everything)
    shown = [dict(name=name, **refs.describe(value, name)) for name, value in items]
    return {"variables": shown, "total": total}


def _non_negative(value: "Any", what: str) -> int:
    if value is None:
        return 0
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InspectError("%s must be a whole number >= 0, not %r" % (what, value))
    return value


# ---- setVariable ---------------------------------------------------------------------------

def set_variable(frames: "List[FrameType]", request: "Dict[str, Any]", refs: Refs) -> "Dict[str, Any]":
    """The answer to ``setVariable``: the value expression is evaluated in the frame, then
    assigned to the local or global, or to the child of the reference named ``name``."""
    name = request.get("name")
    source = request.get("value")
    if not isinstance(name, str) or not isinstance(source, str):
        raise InspectError("setVariable needs a name and a value (strings)")
    frame = frame_at(frames, request.get("frame", 0))
    ref = request.get("ref")
    container = refs.get(ref) if ref is not None else None
    value = compute(frame, source)
    if container is not None:
        _set_child(container, name, value)
    elif request.get("scope", "locals") == "globals":
        frame.f_globals[name] = value
    elif request.get("scope", "locals") == "locals":
        namespace = _writable_locals(frame)
        namespace[name] = value
        _write_back(frame, namespace)
    else:
        raise InspectError("no scope %r (locals or globals)" % (request.get("scope"),))
    return refs.describe(value, name)


def _set_child(container: "Any", name: str, value: "Any") -> None:
    kind = _kind(container)
    if kind == "dict":
        for key in list(container):
            if safe_repr(key) == name:
                container[key] = value
                return
        raise InspectError("no key %s in the dict" % name)
    if kind == "sequence":
        if not isinstance(container, list) and not isinstance(container, _deque()):
            raise InspectError("a %s cannot be changed" % _type_name(container))
        try:
            index = int(name)
        except ValueError:
            raise InspectError("no item %s in the %s" % (name, _type_name(container)))
        if not 0 <= index < len(container):
            raise InspectError("no item %s in the %s" % (name, _type_name(container)))
        container[index] = value
        return
    if kind != "object":
        raise InspectError("the items of a %s cannot be set" % _type_name(container))
    setattr(container, name, value)
