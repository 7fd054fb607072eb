"""A small DAP client (stdlib only) that drives debugpy the way an editor does, for the
debugger benchmark: it attaches to `python -m debugpy --listen ... --wait-for-client`, sets
breakpoints, and attaches to every subprocess debugpy announces (`debugpyAttach`), so a child
runs as it would under VS Code (a debugpy 1.6 child waits for its own configurationDone)."""

import json
import socket
import threading
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional


class Connection:
    """One DAP session over one TCP connection; events go to ``on_event`` in a thread of
    their own (a handler may make requests on this or another connection)."""

    def __init__(self, host: str, port: int, on_event: "Callable[[Connection, Dict], None]",
                 name: str, deadline: float = 10.0) -> None:
        end = time.monotonic() + deadline
        while True:
            try:
                self.sock = socket.create_connection((host, port), timeout=deadline)
                break
            except OSError:
                if time.monotonic() > end:
                    raise
                time.sleep(0.01)
        self.sock.settimeout(None)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.name = name
        self.on_event = on_event
        self.seq = 0
        self.lock = threading.Lock()
        self.pending = {}  # type: Dict[int, List[Any]]
        self.initialized = threading.Event()
        self.closed = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buf = b""
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    chunk = self.sock.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                head, buf = buf.split(b"\r\n\r\n", 1)
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                while len(buf) < length:
                    chunk = self.sock.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                message, buf = json.loads(buf[:length].decode("utf-8")), buf[length:]
                self._dispatch(message, time.time())
        except OSError:
            return
        finally:
            self.closed.set()
            for slot in list(self.pending.values()):
                slot[0].set()

    def _dispatch(self, message: "Dict", received: float) -> None:
        message["_received"] = received
        if message.get("type") == "response":
            slot = self.pending.pop(message.get("request_seq"), None)
            if slot is not None:
                slot[1] = message
                slot[0].set()
        elif message.get("type") == "event":
            if message.get("event") == "initialized":
                self.initialized.set()
            threading.Thread(target=self.on_event, args=(self, message), daemon=True).start()
        elif message.get("type") == "request":  # reverse requests (runInTerminal): refused
            self._send({"type": "response", "request_seq": message.get("seq"),
                        "command": message.get("command"), "success": False})

    def _send(self, message: "Dict", slot: "Optional[List[Any]]" = None) -> int:
        with self.lock:
            self.seq += 1
            message["seq"] = self.seq
            if slot is not None:
                self.pending[self.seq] = slot
            data = json.dumps(message).encode("utf-8")
            self.sock.sendall(b"Content-Length: %d\r\n\r\n%s" % (len(data), data))
            return self.seq

    def send(self, command: str, arguments: "Optional[Dict]" = None) -> "List[Any]":
        """Sends a request; returns the slot [event, response, time sent] to wait on."""
        slot = [threading.Event(), None, time.time()]  # type: List[Any]
        self._send({"type": "request", "command": command, "arguments": arguments or {}}, slot)
        return slot

    def request(self, command: str, arguments: "Optional[Dict]" = None,
                timeout: float = 30.0) -> "Dict":
        slot = self.send(command, arguments)
        if not slot[0].wait(timeout):
            raise TimeoutError("%s: no answer to %s" % (self.name, command))
        if slot[1] is None:
            raise ConnectionError("%s closed before answering %s" % (self.name, command))
        return slot[1]

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


INITIALIZE = {"adapterID": "debugpy", "clientID": "workerscope-bench", "linesStartAt1": True,
              "columnsStartAt1": True, "pathFormat": "path", "supportsRunInTerminalRequest": False}


class Client:
    """The editor's side of a multi-process debugpy session: the root session and one per
    subprocess, each configured with the same breakpoints ``{path: [{line, condition?}]}``;
    ``on_stopped(connection, event)`` gets every `stopped` event."""

    def __init__(self, port: int, breakpoints: "Dict[str, List[Dict]]",
                 on_stopped: "Optional[Callable[[Connection, Dict], None]]" = None) -> None:
        self.port = port
        self.breakpoints = breakpoints
        self.on_stopped = on_stopped
        self.sessions = []  # type: List[Connection]
        self.lock = threading.Lock()
        self.errors = []  # type: List[str]

    def _event(self, conn: Connection, message: "Dict") -> None:
        try:
            event = message.get("event")
            if event == "debugpyAttach":
                self._attach(message["body"], "child %s" % message["body"].get("subProcessId"))
            elif event == "stopped" and self.on_stopped is not None:
                self.on_stopped(conn, message)
        except Exception as exc:  # reported by the benchmark; a failed session is no figure
            self.errors.append("%s: %s: %r" % (conn.name, message.get("event"), exc))

    def _configure(self, conn: Connection, attach: "Dict") -> None:
        conn.request("initialize", INITIALIZE)
        answer = conn.send("attach", attach)  # answered only after configurationDone
        if not conn.initialized.wait(30):
            raise TimeoutError("%s: no initialized event" % conn.name)
        self.set_breakpoints(conn, self.breakpoints)
        conn.request("setExceptionBreakpoints", {"filters": []})
        conn.request("configurationDone")
        answer[0].wait(30)

    def set_breakpoints(self, conn: Connection, breakpoints: "Dict[str, List[Dict]]") -> None:
        for path, bps in breakpoints.items():
            conn.request("setBreakpoints", {"source": {"path": path}, "breakpoints": bps,
                                            "lines": [bp["line"] for bp in bps]})

    def clear_breakpoints(self) -> None:
        """What the editor does when the user removes every breakpoint: every session is told."""
        cleared = {path: [] for path in self.breakpoints}
        self.breakpoints = cleared
        with self.lock:
            sessions = list(self.sessions)
        for conn in sessions:
            if not conn.closed.is_set():
                try:
                    self.set_breakpoints(conn, cleared)
                except (OSError, TimeoutError, ConnectionError):
                    pass  # the session ended meanwhile

    def _attach(self, body: "Dict", name: str) -> None:
        connect = body.get("connect", {})
        conn = Connection(connect.get("host", "127.0.0.1"), connect.get("port", self.port),
                          self._event, name)
        with self.lock:
            self.sessions.append(conn)
        self._configure(conn, body)

    def start(self) -> None:
        self._attach({"name": "bench", "request": "attach", "justMyCode": True,
                      "subProcess": True,
                      "connect": {"host": "127.0.0.1", "port": self.port}}, "root")

    def close(self) -> None:
        with self.lock:
            sessions = list(self.sessions)
        for conn in sessions:
            conn.close()
