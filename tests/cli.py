"""Running matcoach as a person does: a real process, its own data directory."""

import os
import subprocess
import sys
import time


def matcoach(*args, home=None, check: bool = True, env: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    env = dict(env or os.environ)
    if home is not None:
        env["MATCOACH_HOME"] = str(home)
    result = subprocess.run([sys.executable, "-m", "assistant", *map(str, args)], capture_output=True, text=True,
                            env=env, timeout=300, cwd=cwd)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def wait_for_line(process: subprocess.Popen, text: str, timeout: float = 60.0) -> None:
    """Read ``process``'s stderr until a line holds ``text`` (it is ready); fail if it ends or takes too long."""
    deadline = time.monotonic() + timeout
    while text not in (line := process.stderr.readline()):
        assert line and time.monotonic() < deadline, f"never said {text!r}"
