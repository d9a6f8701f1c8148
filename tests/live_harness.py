"""A live `matcoach start` process on a real audio server, its events as they come, and a person
(espeak-ng, in the session's language) who speaks into the virtual microphone: for the live tests and benchmark."""

import itertools
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import soundfile

from tests.speechdata import RATE, say, scene

VERBOSE = ["-vv"] if os.environ.get("MATCOACH_LIVE_DEBUG") else ["-v"]
LOGS = os.environ.get("MATCOACH_LIVE_LOGS")   # a directory: every live session's log and recording are kept there
SESSIONS = itertools.count(1)

# The coach is started as from a terminal, where Ctrl-C reaches it. A shell without job control
# (a CI runner, `cmd &` in a script) starts its background jobs with SIGINT ignored, and an ignored
# signal stays ignored in every child: the Ctrl-C test would then test nothing but that.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


class NotSeen(AssertionError):
    """The awaited event did not come in time."""


class LiveSession:
    """A `matcoach start` process, its events as they come, and a person to speak for."""

    def __init__(self, pulse, home: Path, *args: str, language: str = "ko", voice: str | None = None) -> None:
        self.pulse, self.home = pulse, home
        # the person's voice: not the coach's own. The English command model is trained never to take
        # the coach's exact voice (espeak's plain en-us) for a person giving a command, so a "person"
        # speaking in it went unheard for "stop" and "arched" (0 of 3 each in a clean file, where
        # en-gb, a training voice, is heard 15 of 15) and the live tests failed by chance on it
        self.voice = voice or ("ko" if language == "ko" else "en-gb")
        self.env = dict(pulse.env, MATCOACH_HOME=str(home))
        self.events: queue.Queue = queue.Queue()
        self.seen: list[dict] = []
        self.name = f"{home.parent.name}-{next(SESSIONS)}"
        # with $MATCOACH_LIVE_LOGS, both tracks too: a chance failure can then be replayed
        # (matcoach listen --file mic.wav --reference ref.wav), not only read
        # (a test recording on its own has its folder copied there when the session ends)
        own = "--record-audio" in args
        self.recording = Path(args[args.index("--record-audio") + 1]) if own else None
        keep = ["--record-audio", str(Path(LOGS) / self.name)] if LOGS and not own else []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "assistant", *VERBOSE, "start", "--language", language, "--voice", language,
             "--json", *keep, *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env)
        self.errors: list[str] = []
        self.repeats = 0
        self.offset = time.monotonic()  # session time 0, by the wall clock; refined by each fact seen
        self.threads = [threading.Thread(target=self._read, daemon=True),
                        threading.Thread(target=lambda: self.errors.extend(self.process.stderr), daemon=True)]
        for thread in self.threads:
            thread.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                self.events.put({"event": "not-json", "line": line})
                continue
            if event["event"] != "cue":  # facts are printed as they happen: the session clock's offset
                self.offset = time.monotonic() - event["t"]
            self.events.put(event)
        self.events.put(None)

    def after(self, event: dict, extra: float = 0.2) -> dict:
        """Wait until the coach has finished saying the cue ``event`` (announced when it was planned,
        maybe behind other lines), plus ``extra`` seconds."""
        until = self.offset + (event["end"] or event["t"]) + extra
        time.sleep(max(0.0, until - time.monotonic()))
        return event

    def at(self, t: float) -> None:
        """Wait until session time ``t`` (by the session clock's offset, refined by each fact seen)."""
        time.sleep(max(0.0, self.offset + t - time.monotonic()))

    def wait_for(self, test, timeout: float = 90.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            try:
                event = self.events.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                if LOGS:
                    self.keep_log()
                raise NotSeen(f"not seen in {timeout:g} s; the coach's log: {''.join(self.errors)}") from None
            if event is None and LOGS:
                self.keep_log()
            assert event is not None, f"the session ended first: {self.seen[-8:]} {''.join(self.errors)}"
            self.seen.append(event)
            if test(event):
                return event

    def say(self, text: str, tmp: Path) -> np.ndarray:
        """Speak ``text`` into the microphone (at the level of a person on the mat); returns the audio."""
        audio, _ = scene([say(text, self.voice, 150)], [text], lead_s=0.05, gap_s=0.2)
        path = tmp / f"say-{len(self.seen)}.wav"
        soundfile.write(path, audio, RATE)
        subprocess.run(["paplay", "--device=mic", str(path)], env=self.env, check=True, timeout=30)
        return audio

    def say_until(self, text: str, tmp: Path, test, tries: int = 3, wait_s: float = 5.0) -> dict:
        """Say ``text`` until the coach shows it understood (``test``), as a person would: again when
        nothing happens; ``self.repeats`` counts the extra tries."""
        for _ in range(tries):
            self.say(text, tmp)
            try:
                return self.wait_for(test, timeout=wait_s)
            except NotSeen:
                self.repeats += 1
        raise AssertionError(f"{text!r} not understood in {tries} tries; the coach's log: {''.join(self.errors)}")

    def finish(self, timeout: float = 120.0) -> tuple[list[dict], str]:
        self.process.wait(timeout=timeout)
        for thread in self.threads:
            thread.join(timeout=10)
        while (event := self.events.get(timeout=5)) is not None:
            self.seen.append(event)
        if LOGS:
            self.keep_log()
        return self.seen, "".join(self.errors)

    def keep_log(self) -> None:
        """Write the coach's log and the events seen to ``$MATCOACH_LIVE_LOGS`` (for a failure's story)."""
        where = Path(LOGS)
        where.mkdir(parents=True, exist_ok=True)
        (where / f"{self.name}.log").write_text("".join(self.errors) + "".join(json.dumps(e) + "\n" for e in self.seen))
        if self.recording is not None and self.recording.is_dir():
            shutil.copytree(self.recording, where / self.name, dirs_exist_ok=True)


def cue(name: str, **params):
    return lambda e: e["event"] == "cue" and e["cue"] == name and all(e["params"].get(k) == v
                                                                      for k, v in params.items())
