"""What killed runs leave behind (a scratch folder, a half-done download): each is named after the
process that made it (``<prefix><pid>-...``), so the next run can tell when its maker is gone."""

import os
import shutil
import time
from pathlib import Path

# A leftover without a process id in its name (from an older matcoach) is left alone this long.
UNNAMED_GRACE_S = 3600


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def stale(path: Path, prefix: str) -> bool:
    """True when ``path`` (named ``prefix<pid>-...``) belongs to no running process of this user."""
    try:
        info = path.lstat()
    except OSError:
        return False
    if info.st_uid != os.getuid():
        return False
    pid = path.name[len(prefix):].split("-", 1)[0] if path.name.startswith(prefix) else ""
    if pid.isdigit():
        return not running(int(pid))
    return time.time() - info.st_mtime > UNNAMED_GRACE_S


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
