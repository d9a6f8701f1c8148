"""Keeping native libraries' chatter (Kaldi, ALSA, PortAudio print on file descriptor 2) off the
user's terminal: into the debug log instead."""

import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)


@contextmanager
def native_stderr_to_log(source: str) -> Iterator[Callable[[], list[str]]]:
    """Capture what native code writes on stderr meanwhile, log it at debug level as ``source``,
    and let the caller read the lines (Kaldi explains a bad model there)."""
    lines: list[str] = []
    with tempfile.TemporaryFile(mode="w+b") as capture:
        saved = os.dup(2)
        os.dup2(capture.fileno(), 2)
        try:
            yield lambda: lines
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            lines[:] = capture.read().decode("utf-8", "replace").splitlines()
            for line in lines:
                log.debug("%s: %s", source, line)
