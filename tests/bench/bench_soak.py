"""A listening soak: an hour of the live chain in a room where nobody gives a command. Prints figures;
asserts nothing (a benchmark, not a test).

The chain is the one a live session runs (DuplexEars: echo path tracking, the SpeexDSP canceller, the
echo gate) around the ears `matcoach start` opens (``open_ears(grammar, engine="auto")`` in a fresh
data directory, so no enrollment: English is the command model fused with PocketSphinx, Korean the
command model fused with Vosk). It is fed 50 ms blocks of microphone and reference, as the listener
feeds it, made piece by piece as it goes (never more than a piece in memory):

- the reference: the coach's lines (drawn from all of the shipped pack's, placeholders filled at random)
  in the coach's own voice (espeak-ng, the pack's voice and rate), with the pauses of a session;
- the microphone: that voice's echo through a room (a delay, a level, a little reverberation and
  speaker distortion), a person talking now and then (sentences that hold no command phrase, training
  voices only: never en-us-nyc or en-gb-x-gbclan), breathing, a fan and the room's hiss.

    nice -n 5 .venv/bin/python tests/bench/bench_soak.py [--minutes 60] [--language en|ko] [--seed 0]
        [--echo-db 0] [--delay-ms 120]

Prints a progress line every few minutes, then: RSS after the warm-up (the first 2 minutes) and at
the end, the growth (aim: at most 10 MB), peak RSS, every false command with its time and what was
sounding then (the coach's line, the person's words, or breathing and the fan only; aim: none), false
stops, the commands the echo gate took for the coach, the chain's real-time factor (its wall time over
the audio's length) and CPU seconds (the audio's making excluded).
"""

import argparse
import atexit
import os
import random
import re
import shutil
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ["MATCOACH_HOME"] = tempfile.mkdtemp(prefix="matcoach-soak-")  # no enrollment, no installed model
atexit.register(shutil.rmtree, os.environ["MATCOACH_HOME"], ignore_errors=True)

from assistant.data import catalog  # noqa: E402
from assistant.ears import augment as A  # noqa: E402
from assistant.ears import espeak as synth  # noqa: E402
from assistant.ears.engines import open_ears  # noqa: E402
from assistant.ears.recognizer import BLOCK, RATE, Detection  # noqa: E402
from assistant.ears.train import texts  # noqa: E402
from assistant.ears.train.voices import EN_RESERVED, random_voice  # noqa: E402
from assistant.ears.vocabulary import coach_lines, coach_voice  # noqa: E402
from assistant.live.duplex import DuplexEars  # noqa: E402

PIECE_S = 10.0       # audio made at a time
SPEECH_DB = -24.0    # the person's speech (active RMS), as in the held-out material
COACH_DB = -20.0     # what the speaker plays
FLOOR_DB = -60.0     # the room's hiss
WARM_S = 120.0       # RSS is taken as the start after this much audio
DRIVE, PEAK = 1.0, 0.5  # the speaker's tanh overdrive, and the level it is measured against


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process, MB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


class Track:
    """An endless track of clips with pauses between them, handed out in pieces: what is held is the
    rest of the clip that ran over the last piece, never more. ``spans`` keeps where the last clips
    lie (samples from the start, and their text), to say what a false command was heard over."""

    def __init__(self, next_clip: Callable[[], tuple[np.ndarray, float, str]]) -> None:
        self._next = next_clip
        self._held = np.zeros(0, np.float32)
        self._made = 0   # samples made so far
        self.spans: deque[tuple[int, int, str]] = deque(maxlen=64)

    def take(self, n: int) -> np.ndarray:
        parts, have = [self._held], len(self._held)
        while have < n:
            clip, pause_s, text = self._next()
            self.spans.append((self._made, self._made + len(clip), text))
            parts += [clip, np.zeros(int(pause_s * RATE), np.float32)]
            have += len(clip) + int(pause_s * RATE)
            self._made += len(clip) + int(pause_s * RATE)
        out = np.concatenate(parts)
        self._held = out[n:].copy()
        return out[:n]

    def during(self, start_s: float, end_s: float) -> list[str]:
        return [text for a, b, text in self.spans if a / RATE < end_s + 0.3 and b / RATE > start_s - 0.3]


class Echo:
    """The coach's voice coming back into the microphone: speaker distortion, then a room (delay, a
    direct path and reverberation), at ``level_db`` over the person's speech; convolved piece by piece
    with the tail carried over, so that piece boundaries cannot be heard."""

    def __init__(self, rng: np.random.Generator, *, delay_s: float, level_db: float, rt60_s: float = 0.3) -> None:
        gain = 10 ** ((SPEECH_DB + level_db - COACH_DB) / 20)
        room = A.room_ir(rng, rt60_s, drr_db=6.0)
        self._h = np.concatenate((np.zeros(int(delay_s * RATE), np.float32), room)) * np.float32(gain)
        self._tail = np.zeros(len(self._h) - 1, np.float64)

    def __call__(self, played: np.ndarray) -> np.ndarray:
        driven = np.tanh(DRIVE * played / PEAK) / np.tanh(DRIVE) * PEAK
        n = len(driven) + len(self._h) - 1
        size = 1 << (n - 1).bit_length()
        y = np.fft.irfft(np.fft.rfft(driven, size) * np.fft.rfft(self._h, size), size)[:n]
        y[:len(self._tail)] += self._tail
        self._tail = y[len(played):].copy()
        return y[:len(played)].astype(np.float32)


def no_command(sentences: list[str], phrases: list[str], language: str) -> list[str]:
    """The sentences that hold no command phrase (whole words in English, anywhere in Korean)."""
    if language != "en":
        return [s for s in sentences if not any(p in s for p in phrases)]

    def words(s: str) -> str:
        return " " + " ".join(re.findall(r"[a-z']+", s.lower())) + " "
    return [s for s in sentences if not any(f" {p} " in words(s) for p in phrases)]


def room(language: str, seed: int, args: argparse.Namespace) -> tuple[Callable[[int], tuple[np.ndarray, np.ndarray]],
                                                                     Track, Track]:
    """The room: n -> (microphone, reference) as 16 kHz int16, the next n samples of each; and the coach's
    and the person's tracks."""
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    pack = catalog.load_shipped_pack(language)
    phrases = list(catalog.load_grammar(language).phrases)
    cv = coach_voice(pack)
    coach = synth.Voice(cv.engine_voice, "", speed=cv.rate)
    lines = coach_lines(pack, fillings=3, seed=seed)
    talk = no_command(texts.talk(language, "eval", n_random=900, seed=seed), phrases, language)

    def coach_line() -> tuple[np.ndarray, float, str]:   # mostly short pauses; now and then a hold or a rest
        text = rng.choice(lines)
        x = A.gain_to(synth.say(text, coach), COACH_DB + rng.uniform(-2, 2))
        return x, rng.uniform(0.2, 2.0) if rng.random() < 0.85 else rng.uniform(4, 20), text

    def person() -> tuple[np.ndarray, float, str]:       # a few metres away, now and then
        voice = random_voice(rng, language, role="talk")
        assert voice.name not in EN_RESERVED
        text = rng.choice(talk)
        x = synth.say(text, voice)
        x = A.reverb(x, nrng, rt60=rng.uniform(0.2, 0.6), drr_db=rng.uniform(0, 8)) if len(x) else x
        return A.gain_to(x, SPEECH_DB + rng.uniform(-6, 4)) if len(x) else x, rng.uniform(2, 25), text

    played, said = Track(coach_line), Track(person)
    echo = Echo(nrng, delay_s=args.delay_ms / 1000, level_db=args.echo_db)
    fade = RATE // 2
    fan_n = int(PIECE_S * RATE)
    fan = A.noise("fan", fan_n + fade, nrng)  # one loop, its end faded into its start: no seam
    fan[:fade] = fan[:fade] * np.linspace(0, 1, fade) + fan[fan_n:] * np.linspace(1, 0, fade)
    fan = fan[:fan_n] * np.float32(10 ** ((SPEECH_DB - 22) / 20))
    at = 0

    def next_piece(n: int) -> tuple[np.ndarray, np.ndarray]:
        nonlocal at
        ref = played.take(n)
        mic = echo(ref) + said.take(n)
        mic += A.breath(n, nrng, every=3.0) * np.float32(10 ** ((SPEECH_DB - 8) / 20))
        mic += fan[(at + np.arange(n)) % fan_n]
        mic += A.noise("white", n, nrng) * np.float32(10 ** (FLOOR_DB / 20))
        at += n
        return A.quantize(mic), A.quantize(ref)
    return next_piece, played, said


def over(coach: list[str], person: list[str]) -> str:
    """What a false command was heard over, for people."""
    parts = [f"the coach saying {' / '.join(map(repr, coach))}"] * bool(coach)
    parts += [f"the person saying {' / '.join(map(repr, person))}"] * bool(person)
    return "over " + " and ".join(parts) if parts else "over breathing and the fan only"


def soak(args: argparse.Namespace) -> None:
    grammar = catalog.load_grammar(args.language)
    ears, which = open_ears(grammar, engine="auto")
    chain = DuplexEars(ears)
    print(f"soak, {args.language}: {which}; {args.minutes:g} min, echo {args.echo_db:+g} dB over the person, "
          f"delay {args.delay_ms:g} ms", flush=True)
    next_piece, played, said = room(args.language, args.seed, args)
    total = int(args.minutes * 60 * RATE)
    warm = min(int(WARM_S * RATE), total // 4)
    report = max(total // 12, int(60 * RATE))
    false: list[tuple[Detection, str]] = []   # and what was sounding when it was heard
    wall = cpu = 0.0
    fed = 0
    start_rss = None
    while fed < total:
        mic, ref = next_piece(min(int(PIECE_S * RATE), total - fed))
        w0, c0 = time.perf_counter(), time.process_time()
        found: list[Detection] = []
        for i in range(0, len(mic), BLOCK):
            found += chain.feed(mic[i:i + BLOCK], ref[i:i + BLOCK])
        if fed + len(mic) >= total:
            found += chain.finish()
        wall += time.perf_counter() - w0
        cpu += time.process_time() - c0
        false += [(d, over(played.during(d.start, d.end), said.during(d.start, d.end))) for d in found]
        before, fed = fed, fed + len(mic)
        if before < warm <= fed:
            start_rss = rss_mb()[0]
        if before // report != fed // report:
            now, peak = rss_mb()
            print(f"  {fed / RATE / 60:5.1f} min: RSS {now:.1f} MB (peak {peak:.1f}), {len(false)} false commands, "
                  f"echo gate took {chain.echoes}, real-time factor {wall / (fed / RATE):.3f}", flush=True)
    chain.close()
    end_rss, peak = rss_mb()
    seconds = fed / RATE
    print(f"RSS after the warm-up ({warm / RATE / 60:.1f} min) {start_rss:.1f} MB, at the end {end_rss:.1f} MB: "
          f"growth {end_rss - start_rss:+.1f} MB (aim <= 10); peak RSS {peak:.1f} MB")
    print(f"false commands: {len(false)} in {seconds / 60:.1f} min (aim 0); false stops: "
          f"{sum(d.command == 'stop' for d, _ in false)}; the echo gate took {chain.echoes} for the coach")
    for d, sounding in false:
        print(f"  {int(d.end // 60):02d}:{d.end % 60:05.2f}  {d.command:<8} {d.phrase!r}  "
              f"confidence {d.confidence:.2f} ({d.engine}); {sounding}")
    print(f"chain: real-time factor {wall / seconds:.3f} (wall), {cpu:.0f} CPU s for {seconds:.0f} s of audio "
          f"({100 * cpu / seconds:.1f} % of one core)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=60.0)
    p.add_argument("--language", default="en", choices=("en", "ko"))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--echo-db", type=float, default=0.0, help="the coach's echo over the person's speech, dB")
    p.add_argument("--delay-ms", type=float, default=120.0, help="the echo's delay")
    soak(p.parse_args())


if __name__ == "__main__":
    main()
