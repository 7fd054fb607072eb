"""Bounded, exception-proof ``repr`` for task arguments and frame locals.

Uses ``reprlib`` so huge containers are abbreviated, then truncates to ``LIMIT``
characters; a ``__repr__`` that raises anything (``SystemExit`` included) yields a placeholder
instead of propagating into the program. Dicts and sets keep their own order, as ``repr``
shows them (``reprlib`` sorts them). A Manager's or process's authentication key is never
written out: it would let anyone who reads the report talk to the Manager.
"""

import reprlib

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any, Dict, Iterable, List

LIMIT = 200
MAX_LOCALS = 50

SECRET = "<authentication key hidden>"
_SECRET_NAMES = ("authkey", "_authkey")


class _Repr(reprlib.Repr):
    def repr_AuthenticationString(self, x: "Any", level: int) -> str:  # noqa: N802 (reprlib's name)
        return SECRET

    def repr_dict(self, x: "Any", level: int) -> str:
        if not x:
            return "{}"
        if level <= 0:
            return "{...}"
        pieces = []
        for i, (key, value) in enumerate(x.items()):
            if i == self.maxdict:
                pieces.append("...")
                break
            pieces.append("%s: %s" % (self.repr1(key, level - 1), self.repr1(value, level - 1)))
        return "{%s}" % ", ".join(pieces)

    def repr_set(self, x: "Any", level: int) -> str:
        return self._unsorted(x, level, "{", "}", "set()") if x else "set()"

    def repr_frozenset(self, x: "Any", level: int) -> str:
        return self._unsorted(x, level, "frozenset({", "})", "frozenset()")

    def _unsorted(self, x: "Any", level: int, left: str, right: str, empty: str) -> str:
        if not x:
            return empty
        if level <= 0:
            return left + "..." + right
        pieces = []
        for i, item in enumerate(x):
            if i == self.maxset:
                pieces.append("...")
                break
            pieces.append(self.repr1(item, level - 1))
        return left + ", ".join(pieces) + right


_repr = _Repr()
_repr.maxstring = LIMIT
_repr.maxother = LIMIT
_repr.maxlist = _repr.maxtuple = _repr.maxset = _repr.maxdict = 20
_repr.maxlevel = 4


def safe_repr(value: "Any", limit: int = LIMIT) -> str:
    try:
        text = _repr.repr(value)
    except BaseException as exc:  # noqa: B902 — a user __repr__ may raise anything, even SystemExit
        try:
            name = type(value).__name__
        except BaseException:  # noqa: B902 — a user metaclass: its failure is shown, not ours
            name = "object"
        text = "<%s instance (repr raised %s)>" % (name, type(exc).__name__)
    if not isinstance(text, str):
        text = "<unrepresentable>"
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def repr_args(args: "Iterable[Any]") -> "List[str]":
    try:
        return [safe_repr(a) for a in args]
    except BaseException:  # noqa: B902 — iterating user objects runs user code
        return ["<unavailable>"]


def repr_kwargs(kwargs: "Any") -> "Dict[str, str]":
    try:
        return {str(k): SECRET if k in _SECRET_NAMES else safe_repr(v)
                for k, v in dict(kwargs or {}).items()}
    except BaseException:  # noqa: B902 — a user mapping's code, not the tracer's
        return {}


def repr_locals(namespace: "Any") -> "Dict[str, str]":
    out: "Dict[str, str]" = {}
    try:
        items = list(namespace.items())
    except BaseException:  # noqa: B902 — a frame's namespace may be a user mapping
        return out
    for name, value in items[:MAX_LOCALS]:
        if isinstance(name, str) and not (name.startswith("__") and name.endswith("__")):
            out[name] = SECRET if name in _SECRET_NAMES else safe_repr(value)
    return out
