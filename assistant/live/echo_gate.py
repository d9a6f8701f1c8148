"""The echo gate: tells the person's commands from the coach's own voice coming back through the
microphone, from the audio alone (what the microphone heard after echo cancellation, and what the
speaker played), so that a replay of a session judges exactly as the live session did.

Echo cancellation leaves a residue of the coach's voice, at a level relative to the reference that
changes slowly, and differently in each frequency band: what the canceller's linear filter missed
in that band, and what a speaker's distortion spreads from loud passages into every band. The gate
learns both, band by band, from the last seconds in which the coach spoke. A command heard over
the coach's voice is the person's when most of its sound stands clearly above the residue the
coach's voice explains; a command made of residue alone is the coach's echo. The person's voice is
never compared with the coach's: a command said as loud as the coach's echo, or softer, passes as
long as the canceller took that echo out.

The canceller can lose the echo for a moment: when its path jumps by a few samples (a live audio
server did this 10 s into sessions), its output is the coach's voice itself for a second or two, far
above the residue learned, and recognizers heard commands in it. So a command that passes is also
checked before cancellation: where the microphone held nothing more than the coach's echo (its
gain per band learned like the residue), it is the coach's voice whatever the canceller let through.
The person said over the coach adds sound the echo does not explain (measured: 94-99 % of a live
"arched" stood 6 dB above the echo, 0 % of the lost coach's line).
"""

import numpy as np

from assistant.ears.recognizer import RATE, Detection

FRAME = 160              # 10 ms
FFT = 256
EDGES_HZ = (100, 250, 400, 600, 850, 1150, 1500, 1950, 2500, 3200, 4100, 5300, 7000)
BANDS = len(EDGES_HZ) - 1


def _band_matrix() -> np.ndarray:
    freqs = np.fft.rfftfreq(FFT, 1 / RATE)
    return np.stack([(freqs >= a) & (freqs < b) for a, b in zip(EDGES_HZ, EDGES_HZ[1:], strict=False)]).astype(
        np.float32)


class EchoGate:
    """Feed it each block after cancellation with the reference lined up with its echo; ask
    ``echo_of(detection)`` about each command heard."""

    HISTORY_S = 8.0         # frames kept (a command's words lie within them)
    LEARN_S = 3.0           # the residue is learned over this much before the words...
    RECENT_S = 0.5          # ...and over this much, so that a residue that jumps up counts at once...
    MIN_LEARNED_S = 0.5     # ...from at least this much of the coach speaking, else it is assumed
    UNALIGNED_S = 0.6       # before the echo's delay is known, the coach's voice may come back this late
    VOICE = 10 ** (-50 / 20)  # a reference frame louder than this (RMS): the coach is speaking
    MARGIN_DB = 10.0        # a cell this far above the residue the coach's voice explains is the person's
    PERSON_SHARE = 0.5      # the share of a command's sound that must be the person's...
    ALONE_SHARE = 0.8       # ...when the command model decided it alone (see verdict)
    MIN_COACH_SHARE = 0.2   # the coach spoke in at least this share of the words' frames, or the gate stays open
    SPEAKING = 1e-8         # band energy of the reference above which the coach is heard in that band
    PERSON_DB = 10.0        # a frame this far above the residue holds the person (for quieting the residue)
    REFRESH = 25            # frames between two updates of the residue used for quieting
    TAIL = 25               # frames of the reference whose echo may still ring in a frame (quieting)
    RAW_MARGIN_DB = 6.0     # before cancellation: a cell this far above the coach's echo holds the person...
    RAW_PERSON_SHARE = 0.2  # ...and a command with less of its sound in such cells is the coach's echo

    def __init__(self) -> None:
        self._bands = _band_matrix()
        self._window = np.hanning(FRAME).astype(np.float32)
        self._size = int(self.HISTORY_S * RATE / FRAME)
        self._out = np.zeros((self._size, BANDS), dtype=np.float32)   # band energies, a ring of frames
        self._mic = np.zeros((self._size, BANDS), dtype=np.float32)   # ... of the microphone before cancellation
        self._raw = False        # the microphone before cancellation is known
        self._ref = np.zeros((self._size, BANDS), dtype=np.float32)
        self._voiced = np.zeros(self._size, dtype=bool)
        self._aligned = np.zeros(self._size, dtype=bool)  # the reference was lined up with its echo
        self.frames = 0          # frames seen in all
        self._starts = [0]       # frames the canceller started learning from (the last one: now)
        self.aligned = False     # the chain knows the echo's delay
        self.unlearned = 1.0     # the residue assumed before any is learned: as loud as the reference
        self._recent: tuple[int, np.ndarray, np.ndarray] | None = None  # (frame, in_band, spread) for person_in

    def restart(self) -> None:
        """The echo path moved (the canceller may have started learning again): the gate learns the
        residue again."""
        self._starts = [f for f in self._starts if f > self.frames - self._size] + [self.frames]

    def heard(self, out: np.ndarray, echo_ref: np.ndarray, mic: np.ndarray | None = None) -> None:
        """The next block after cancellation, the reference lined up with its echo, and the microphone
        before cancellation if there was one (int16)."""
        n = len(out) // FRAME
        if n == 0:
            return
        out_f = out[:n * FRAME].astype(np.float32).reshape(n, FRAME) / 32768
        ref_f = echo_ref[:n * FRAME].astype(np.float32).reshape(n, FRAME) / 32768
        rows = np.arange(self.frames, self.frames + n) % self._size
        self._out[rows] = self._band_energy(out_f)
        if mic is not None:
            self._mic[rows] = self._band_energy(mic[:n * FRAME].astype(np.float32).reshape(n, FRAME) / 32768)
            self._raw = True
        self._ref[rows] = self._band_energy(ref_f)
        self._voiced[rows] = np.sqrt(np.mean(ref_f * ref_f, axis=1)) > self.VOICE
        self._aligned[rows] = self.aligned
        self.frames += n

    def _band_energy(self, frames: np.ndarray) -> np.ndarray:
        spectrum = np.fft.rfft(frames * self._window, FFT)
        return (np.abs(spectrum) ** 2) @ self._bands.T

    def echo_of(self, detection: Detection) -> str | None:
        """Why this command is the coach's echo, or None when the person said it."""
        return self.verdict(detection)[0]

    def verdict(self, detection: Detection) -> tuple[str | None, str]:
        """(why this command is the coach's echo or None, how the gate judged it: for the -vv log)."""
        oldest = max(0, self.frames - self._size + int(self.UNALIGNED_S * RATE / FRAME))
        a = max(oldest, int(detection.start * RATE / FRAME))
        b = min(self.frames, max(a + 1, int(np.ceil(detection.end * RATE / FRAME))))
        if b <= a:
            return None, "its words are no longer in the gate's history"
        span = np.arange(a, b)
        coach = float(self._voiced[self._unaligned_rows(span)].any(axis=1).mean())
        if coach < self.MIN_COACH_SHARE:
            # the coach was (nearly) silent: nothing to confuse the person with
            return None, f"the coach spoke in {100 * coach:.0f} % of its frames"
        in_band, spread, fresh = self._residue(a)
        # the canceller just started again: the echo is as it came, reverberation and all, and rings
        # on from the reference's last frames into its gaps
        ref = self._reference(span, self.TAIL if fresh else 0)
        expected = np.maximum(ref * in_band, ref.sum(axis=1, keepdims=True) * spread) * 10 ** (self.MARGIN_DB / 10)
        out = self._out[span % self._size]
        sound = float(out.sum())
        if sound <= 0:
            return None, "no sound"
        share = float(out[out > expected].sum()) / sound
        above = f"{100 * share:.0f} % of its sound above the residue"
        # over the coach's voice the command model alone decides "arched" at a lower probability
        # (assistant.ears.fusion, ECHO_ALONE), with no second recognizer's word: the coach's own words
        # it took for a command stood 66 % above the residue, the person's barge-ins 86-100 %
        # (replayed rooms, training voices)
        if share < (self.ALONE_SHARE if detection.engine == "embedding" else self.PERSON_SHARE):
            return f"the coach's voice after echo cancellation ({above})", above
        raw = self._raw_share(span, a)
        if raw is None:
            return None, f"{above}, the coach speaking in {100 * coach:.0f} % of its frames"
        over = f"{100 * raw:.0f} % above its echo before cancellation"
        if raw < self.RAW_PERSON_SHARE:
            # the canceller lost the echo (a jump of a few samples in its path costs it 25 dB for
            # seconds), but the microphone holds nothing more than the coach's echo
            return f"the coach's voice, which the canceller lost a moment ({above}, {over})", f"{above}, {over}"
        return None, f"{above}, {over}, the coach speaking in {100 * coach:.0f} % of its frames"

    def _raw_share(self, span: np.ndarray, before: int) -> float | None:
        """The share of the microphone's sound in ``span``, before cancellation, that stands
        ``RAW_MARGIN_DB`` above the coach's echo there (the echo path's gain per band, learned as the
        residue is), or None before that is known."""
        frames = self._learning(before)
        if not self._raw or frames is None:
            return None
        ref = self._reference(frames)
        gain = self._medians(self._mic[frames % self._size], ref, ref.sum(axis=1), np.nan)[0]
        known = ~np.isnan(gain)   # bands the coach was heard in
        if not known.any():
            return None
        expected = self._reference(span)[:, known] * gain[known] * 10 ** (self.RAW_MARGIN_DB / 10)
        mic = self._mic[span % self._size][:, known]
        sound = float(mic.sum())
        return float(mic[mic > expected].sum()) / sound if sound > 0 else None

    def person_in(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """For each of the last ``n`` frames heard: whether it holds more than the coach's residue
        (the person), and whether the coach was silent. The other frames hold only the residue."""
        frames = np.arange(self.frames - n, self.frames)
        if self._recent is None or self.frames - self._recent[0] >= self.REFRESH or self._recent[0] < self._starts[-1]:
            self._recent = (self.frames, *self._residue(self.frames - n)[:2])
        _, in_band, spread = self._recent
        ref = self._reference(frames, self.TAIL)
        residue = np.maximum(ref * in_band, ref.sum(axis=1, keepdims=True) * spread).sum(axis=1)
        silent = ~self._voiced[self._unaligned_rows(frames, self.TAIL)].any(axis=1)
        return self._out[frames % self._size].sum(axis=1) > residue * 10 ** (self.PERSON_DB / 10), silent

    def _unaligned_rows(self, frames: np.ndarray, tail: int = 0) -> np.ndarray:
        """For each frame, the rows of the frames its echo may come from: itself (and the ``tail``
        frames before it) when the reference was lined up with its echo, else the ``UNALIGNED_S``
        before it."""
        back = int(self.UNALIGNED_S * RATE / FRAME)
        rows = (frames[:, None] - np.arange(back + 1)[None, :]) % self._size
        aligned = self._aligned[frames % self._size]
        rows[aligned] = np.concatenate((rows[aligned][:, :tail + 1],
                                        np.repeat(rows[aligned][:, :1], back - tail, axis=1)), axis=1)
        return rows

    def _reference(self, frames: np.ndarray, tail: int = 0) -> np.ndarray:
        """The reference's band energies behind each frame's echo (the loudest it may come from)."""
        return self._ref[self._unaligned_rows(frames, tail)].max(axis=1)

    def _residue(self, before: int) -> tuple[np.ndarray, np.ndarray, bool]:
        """How loud the microphone is after cancellation while the coach speaks, per band: against the
        reference in that band, and against the reference's whole energy (distortion spreads across
        bands). Medians over the ``LEARN_S`` before frame ``before``, since the canceller last started
        learning, or over the ``RECENT_S`` before it where that is louder (the echo path just moved
        and the canceller has not caught up); until enough is learned, ``unlearned`` and no spread.
        The third value is true when the canceller started again too recently for any to be learned."""
        in_band, spread = np.full(BANDS, self.unlearned, dtype=np.float32), np.zeros(BANDS, dtype=np.float32)
        fresh = before - self._start_before(before) < self.LEARN_S * RATE / FRAME
        frames = self._learning(before)
        if frames is None:
            return in_band, spread, fresh
        out, ref = self._out[frames % self._size], self._reference(frames)
        whole = ref.sum(axis=1)
        if np.count_nonzero(whole > self.SPEAKING) < self.MIN_LEARNED_S * RATE / FRAME:
            return in_band, spread, fresh
        recent = len(frames) - int(self.RECENT_S * RATE / FRAME)
        in_band, spread = self._medians(out, ref, whole, self.unlearned)
        lately = self._medians(out[max(0, recent):], ref[max(0, recent):], whole[max(0, recent):], 0.0)
        return np.maximum(in_band, lately[0]), np.maximum(spread, lately[1]), False

    def _start_before(self, before: int) -> int:
        """The frame the canceller last started learning from, before frame ``before``."""
        return max((f for f in self._starts if f <= before), default=0)

    def _learning(self, before: int) -> np.ndarray | None:
        """The frames to learn from before frame ``before`` (the last ``LEARN_S`` since the canceller
        last started learning before it: words said just before the path's move was found are judged
        by what was learned then), or None while there are too few. Before the echo's delay is known the
        canceller is still finding it: its residue now says nothing about its residue a moment later."""
        first = max(before - int(self.LEARN_S * RATE / FRAME), self._start_before(before), self.frames - self._size +
                    int(self.UNALIGNED_S * RATE / FRAME), 0)
        if not self.aligned or before - first < self.MIN_LEARNED_S * RATE / FRAME:
            return None
        return np.arange(first, before)

    def _medians(self, out: np.ndarray, ref: np.ndarray, whole: np.ndarray,
                 unknown: float) -> tuple[np.ndarray, np.ndarray]:
        """Per band, the median residue against the band and against the whole; ``unknown`` where
        the coach was not heard enough in that band."""
        in_band, spread = np.full(BANDS, unknown, dtype=np.float32), np.zeros(BANDS, dtype=np.float32)
        speaking = whole > self.SPEAKING
        if np.count_nonzero(speaking) >= 10:
            spread = np.median(out[speaking] / whole[speaking, None], axis=0)
        for band in range(BANDS):
            heard = ref[:, band] > self.SPEAKING
            if np.count_nonzero(heard) >= 10:
                in_band[band] = float(np.median(out[heard, band] / ref[heard, band]))
        return in_band, spread
