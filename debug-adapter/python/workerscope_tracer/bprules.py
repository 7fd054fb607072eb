"""One breakpoint of the spec and the rules of a hit: its condition, its hit condition
(``N``, ``== N``, ``>= N``, ``> N``, ``<= N``, ``< N``, ``% N``) and a logpoint's message."""

import sys

from . import runtime, wire

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any, Dict, List, Optional, Tuple

VALUE_LIMIT = 10000  # characters of one logpoint {expression}'s str()
_CONDITION_FILE = "<breakpoint condition>"
_HIT_OPS = ("==", ">=", "<=", ">", "<", "%")


class Breakpoint:
    __slots__ = ("id", "file", "line", "condition", "hit", "log_message", "hits", "_code")

    def __init__(self, file: str, item: "Dict[str, Any]") -> None:
        self.id = item.get("id")
        self.file = file
        self.line = item["line"]
        condition = item.get("condition")
        self.condition = condition if isinstance(condition, str) and condition.strip() else None
        self.hit = parse_hit_condition(item.get("hitCondition"))
        message = item.get("logMessage")
        self.log_message = message if isinstance(message, str) else None
        self.hits = 0
        self._code: "Any" = None

    def condition_code(self) -> "Any":
        """The compiled condition; a SyntaxError raises at each evaluation, as any error."""
        if self._code is None:
            try:
                self._code = compile(self.condition, _CONDITION_FILE, "eval", dont_inherit=True)
            except BaseException as exc:  # noqa: B902 — kept, and raised when evaluated
                self._code = exc
        if isinstance(self._code, BaseException):
            raise self._code
        return self._code


def parse_hit_condition(text: "Any") -> "Optional[Tuple[str, int]]":
    """``(op, n)`` of ``N``, ``== N``, ``>= N``, ``> N``, ``<= N``, ``< N`` or ``% N``; None
    when absent or unparsable (the breakpoint then has no hit condition)."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    op = "=="
    for candidate in _HIT_OPS:
        if text.startswith(candidate):
            op, text = candidate, text[len(candidate):].strip()
            break
    if not (text.isascii() and text.lstrip("-").isdigit()):
        return None
    n = int(text)
    return None if op == "%" and n <= 0 else (op, n)


def hit_condition_met(hit: "Optional[Tuple[str, int]]", hits: int) -> bool:
    if hit is None:
        return True
    op, n = hit
    if op == "==":
        return hits == n
    if op == ">=":
        return hits >= n
    if op == "<=":
        return hits <= n
    if op == ">":
        return hits > n
    if op == "<":
        return hits < n
    return hits % n == 0


def _closing_brace(text: str, start: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``start`` (nested braces and string literals
    inside the expression skipped), or -1."""
    depth, quote, i = 0, "", start
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c in "{[(":
            depth += 1
        elif c in "}])":
            depth -= 1
            if depth == 0:
                return i if c == "}" else -1
        i += 1
    return -1


def _value(expression: str, frame: "Any") -> str:
    try:
        text = str(eval(compile(expression.strip(), "<logpoint>", "eval", dont_inherit=True),
                        frame.f_globals, frame.f_locals))
    except BaseException as exc:  # noqa: B902 — user input
        info = runtime.exception_info(exc)
        return "<error: %s: %s>" % (info["type"], info["message"])
    if len(text) > VALUE_LIMIT:
        text = "%s... (%d characters)" % (text[:VALUE_LIMIT], len(text))
    return text


def format_message(template: str, frame: "Any") -> str:
    """A logpoint's message: each ``{expression}`` evaluated in the frame and replaced by its
    ``str()``; ``{{`` and ``}}`` are literal braces, a ``{`` never closed is kept as it is."""
    out: "List[str]" = []
    i = 0
    while i < len(template):
        c = template[i]
        if c in "{}" and template.startswith(c * 2, i):
            out.append(c)
            i += 2
        elif c == "{":
            end = _closing_brace(template, i)
            if end < 0:
                out.append(template[i:])
                break
            out.append(_value(template[i + 1:end], frame))
            i = end + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


class Settings:
    """The session's settings the spec carries beside its breakpoints (debugger contract,
    section 1); a key absent or of the wrong type keeps its default."""
    __slots__ = ("failures", "uncaught", "raised", "just_my_code", "pause")

    def __init__(self, obj: "Any", failures_default: bool) -> None:
        exceptions = obj.get("exceptions") if isinstance(obj, dict) else None
        if not isinstance(exceptions, dict):
            exceptions = {}
        self.failures = _flag(exceptions.get("failures"), failures_default)
        self.uncaught = _flag(exceptions.get("uncaught"), True)
        self.raised = _flag(exceptions.get("raised"), False)
        self.just_my_code = _flag(obj.get("justMyCode") if isinstance(obj, dict) else None, True)
        pause = obj.get("pause") if isinstance(obj, dict) else None
        self.pause = pause if isinstance(pause, int) and not isinstance(pause, bool) else 0


def _flag(value: "Any", default: bool) -> bool:
    return value if isinstance(value, bool) else default


# ---- a hit ----------------------------------------------------------------------------------

def passes(frame: "Any", bp: Breakpoint) -> bool:
    if bp.condition is not None:
        try:
            passed = bool(eval(bp.condition_code(), frame.f_globals, frame.f_locals))
        except BaseException as exc:  # noqa: B902 — user input; a raising condition is a hit
            info = runtime.exception_info(exc)
            _log(bp, "breakpoint condition `%s` raised %s: %s"
                 % (bp.condition, info["type"], info["message"]))
            passed = True
        if not passed:
            return False
    bp.hits += 1
    if not hit_condition_met(bp.hit, bp.hits):
        return False
    if bp.log_message is not None:
        _log(bp, format_message(bp.log_message, frame))
        return False
    return True


def thread_name() -> str:
    threading = sys.modules.get("threading")
    return "MainThread" if threading is None else runtime._thread_name(threading)


def worker_name() -> str:
    # Never imports multiprocessing into a program that does not use it.
    process = sys.modules.get("multiprocessing.process")
    try:
        return "MainProcess" if process is None else process.current_process().name
    except Exception:
        return "MainProcess"


def _log(bp: Breakpoint, message: str) -> None:
    runtime.emit(wire.LOG, message=message, file=bp.file, line=bp.line,
                 thread=thread_name(), worker=worker_name())
