"""Running matcoach as a person does: a real process, its own data directory."""

import os
import subprocess
import sys


def matcoach(*args, home=None, check: bool = True, env: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    env = dict(env or os.environ)
    if home is not None:
        env["MATCOACH_HOME"] = str(home)
    result = subprocess.run([sys.executable, "-m", "assistant", *map(str, args)], capture_output=True, text=True,
                            env=env, timeout=300, cwd=cwd)
    if check:
        assert result.returncode == 0, result.stderr
    return result
