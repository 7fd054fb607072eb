"""Executable lines of source files, for the runtime to verify breakpoints: every line start of
every code object compiled from a file. Run as ``lines.main()`` with the files as arguments;
prints one JSON object (standard library only, any CPython 3.8-3.13)."""

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Iterator, List, Optional, Set


def line_starts(code: "Any") -> "Iterator[Optional[int]]":
    if hasattr(code, "co_lines"):  # 3.10+: the line table as ranges, None for no line
        for _start, _end, line in code.co_lines():
            yield line
    else:
        import dis
        for _offset, line in dis.findlinestarts(code):
            yield line


def code_lines(code: "Any", into: "Optional[Set[int]]" = None) -> "Set[int]":
    """Line starts of ``code`` and of every code object nested in it (functions, classes,
    comprehensions are code objects of their own, in ``co_consts``). Line 0 and None are
    the interpreter's own (3.11+ starts a module with a line-0 RESUME), not the source's."""
    lines = set() if into is None else into
    stack = [code]
    while stack:
        current = stack.pop()
        for line in line_starts(current):
            if line:
                lines.add(line)
        stack.extend(c for c in current.co_consts if hasattr(c, "co_code"))
    return lines


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        return "%s: %s (line %s)" % (type(exc).__name__, exc.msg, exc.lineno)
    return "%s: %s" % (type(exc).__name__, exc)


def file_lines(path: str) -> "Dict[str, Any]":
    """``{"lines": [...]}`` or ``{"error": "..."}`` for one file. Compiled from its bytes, so
    an encoding declaration is honoured as when it is run."""
    try:
        with open(path, "rb") as f:
            source = f.read()
        code = compile(source, path, "exec", dont_inherit=True)
    except Exception as exc:  # unreadable, undecodable, a syntax error, null bytes
        return {"error": _describe(exc)}
    return {"lines": sorted(code_lines(code))}


def main(argv: "Optional[List[str]]" = None) -> None:
    import json  # here: traced processes import this module for line_starts only
    files = sys.argv[1:] if argv is None else argv
    result = {"files": {path: file_lines(path) for path in files}}
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
