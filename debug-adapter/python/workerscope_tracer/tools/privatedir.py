"""The private (0700) channel directory, made where Python's ``tempfile`` would look.

A ``TMPDIR`` naming a missing directory, a file or an unwritable directory must not stop a
program that runs fine plainly: like ``tempfile.gettempdir``, the candidates are TMPDIR, TEMP,
TMP, /tmp, /var/tmp, /usr/tmp and the working directory, and the first in which a new
directory only this user can enter is made wins.  ``tempfile`` itself is not imported (its
import costs the supervisor milliseconds).
"""

import os
import stat

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional, Tuple


def candidates() -> "List[str]":
    """Where to try, in ``tempfile._candidate_tempdir_list`` order (POSIX)."""
    found = []  # type: List[str]
    for name in ("TMPDIR", "TEMP", "TMP"):
        value = os.environ.get(name)
        if value:
            found.append(value)
    found += ["/tmp", "/var/tmp", "/usr/tmp"]
    try:
        found.append(os.getcwd())
    except OSError:
        pass
    unique = []  # type: List[str]
    for path in found:
        path = os.path.abspath(path)
        if path not in unique:
            unique.append(path)
    return unique


def _is_private(path: str) -> bool:
    st = os.lstat(path)
    return (stat.S_ISDIR(st.st_mode) and not st.st_mode & 0o077
            and (not hasattr(os, "getuid") or st.st_uid == os.getuid()))


def make() -> "Tuple[Optional[str], str]":
    """(a new private directory, "") or (None, why none could be made anywhere)."""
    tried = []  # type: List[str]
    for base in candidates():
        for _ in range(100):  # a name already taken: draw another, as mkdtemp does
            path = os.path.join(base, "workerscope-" + os.urandom(8).hex())
            try:
                os.mkdir(path, 0o700)
            except FileExistsError:
                continue
            except OSError as exc:
                tried.append("%s (%s)" % (base, exc.strerror or exc))
                break
            try:
                if _is_private(path):
                    return path, ""
                tried.append("%s (not private)" % base)
                os.rmdir(path)
            except OSError as exc:
                tried.append("%s (%s)" % (base, exc.strerror or exc))
            break
    return None, "no private temporary directory could be made (tried %s)" % ", ".join(tried)


def run_untraced(python: str, program: str, args: "List[str]", reason: str) -> int:
    """Without a channel there is nothing to trace into: say so in one line and become the
    program itself, as ``python script.py`` would run (same pid, status, signals and output).
    Returns only if the interpreter cannot be run."""
    import sys
    sys.stderr.write("workerscope: %s: the program runs untraced\n" % reason)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        os.execvp(python, [python, program] + list(args))
    except OSError as exc:
        sys.stderr.write("workerscope: cannot run %s: %s\n" % (python, exc))
    return 127


def remove(path: str) -> None:
    """Remove a channel directory and everything in it. It is renamed first: a process of the
    program still running (an orphaned worker) can then create no new file in it by path
    while it is emptied, which would make the final rmdir fail and leave it behind."""
    doomed = path + ".removing"
    try:
        os.rename(path, doomed)
    except OSError:
        doomed = path
    for _ in range(3):
        try:
            for root, dirs, files in os.walk(doomed, topdown=False):
                for name in files:
                    os.unlink(os.path.join(root, name))
                for name in dirs:
                    os.rmdir(os.path.join(root, name))
            os.rmdir(doomed)
            return
        except FileNotFoundError:
            if not os.path.exists(doomed):
                return
        except OSError:
            pass
