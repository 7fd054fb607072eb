"""The queue deadlock of CPython's programming guidelines ("joining processes that use
queues"), seen at run time: a parent blocked in ``Process.join()`` on a child that cannot
exit because nobody reads what it put on a ``multiprocessing.Queue``.  Pairs the parent's
``join`` records with the child's ``queue-flush-wait`` records (hooks_queues.py); the hang
watch (hangwatch.py) ends the run when both have lasted its timeout."""

from .. import wire

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional


class JoinWatch:
    """Only a join without a timeout counts: a join with one hands control back to the
    program, which may read the queue then (the static ``join-before-drain`` rule makes the
    same choice). Another reader (a thread, a sibling) shows up as the child's flush
    finishing, which is why both sides must have been stuck for the whole hang timeout."""

    def __init__(self) -> None:
        self.waits: "Dict[int, Dict[str, Any]]" = {}  # child pid -> its latest unfinished wait
        self.joins: "Dict[int, Dict[str, Any]]" = {}  # child pid -> latest untimed join on it

    def note(self, e: "Dict[str, Any]") -> None:
        kind = e.get("kind")
        if kind == wire.QUEUE_FLUSH_WAIT and isinstance(e.get("pid"), int):
            self.waits[e["pid"]] = e
        elif kind == wire.QUEUE_FLUSHED:
            wait = self.waits.get(e.get("pid"))  # type: ignore[arg-type]
            if wait is not None and wait.get("queue") == e.get("queue"):
                del self.waits[e["pid"]]
        elif kind == wire.JOIN and e.get("timeout") is None and isinstance(e.get("child"), int):
            self.joins[e["child"]] = e
        elif kind == wire.CHILD_EXIT:
            # Not process-exit: since 3.12 a forked child flushes its queues after its
            # _bootstrap has returned (atexit), so that record comes before the wait.
            self.waits.pop(e.get("child"), None)  # type: ignore[arg-type]
            self.joins.pop(e.get("child"), None)  # type: ignore[arg-type]

    def pending(self) -> bool:
        return any(child in self.joins for child in self.waits)

    def due(self, now: float, hang_timeout: float) -> "Optional[Dict[str, Any]]":
        """The hang record's fields once a child has waited to flush, and its parent has
        waited in join() on it, for ``hang_timeout`` seconds together; else None."""
        for child, wait in sorted(self.waits.items()):
            join = self.joins.get(child)
            if join is None:
                continue
            since = max(float(wait.get("t") or 0), float(join.get("t") or 0))
            if now < since + hang_timeout:
                continue
            return {"owner": join.get("pid"), "child": child, "worker": join.get("name"),
                    "key": None, "task": None, "timeout": hang_timeout,
                    "lostAt": wait.get("t"), "signal": "SIGKILL",
                    "reason": wire.HANG_JOIN_BEFORE_DRAIN, "joinedAt": join.get("at"),
                    "queue": wait.get("queue"), "items": wait.get("items"),
                    "puts": wait.get("puts") or []}
        return None
