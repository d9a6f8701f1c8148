"""Barge-in over the coach, replayed without an audio server (issue 12's figures): whole sessions as a
microphone hears them in many rooms, through the live chain (echo tracking, canceller, the chosen
ears, echo gate) exactly as `matcoach listen --file MIC --reference PLAYED` runs it.

    python tests/bench/bench_duplex.py [--language en|ko|all] [--reps 8] [--rooms 12] [--engine auto]
        [--command arched|pause|done|stop|pain] [--phrase TEXT] [--no-self-triggers] [--drift]

For each language it prints:
- barge-in recall: "arched" (or ``--command``'s first phrase) said once over every countdown (the echo
  as loud as the person or louder, delays of 10 to 400 ms, reverberation and speaker distortion
  varied), heard where it was said;
- self-triggers: commands fired by the coach's own voice with nobody speaking, per hour of session
  (``--no-self-triggers`` skips these sessions: half the time);
- the echo-path tracker's error against the room's true delay at the end of each session (median, worst).

``--phrase``: another of the command's phrases in the grammar (for example "it hurts" for pain).

``--drift``: the echo comes 5-20 ms later every 8-12 s, as on a loaded live audio server
(``duplexdata.drifting_microphone``); the tracker's error is then against the delay at the end.

The people are espeak-ng training voices (never the held-out en-us-nyc or en-gb-x-gbclan), or with
``--people held-out`` only held-out ones: the figures to report, never to tune on. Prints figures;
asserts nothing.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from assistant.data import catalog  # noqa: E402
from assistant.ears.engines import ears_maker  # noqa: E402
from assistant.ears.recognizer import RATE  # noqa: E402
from assistant.ears.train.voices import EN_EVAL_VARIANTS, EN_RESERVED, KO_EVAL_VARIANTS  # noqa: E402
from tests.duplexdata import (  # noqa: E402
    Room,
    coach_session,
    drifting_microphone,
    heard_in_time,
    microphone,
    over_the_countdown,
    replay,
)

PEOPLE = {"en": ["en-us", "en-gb", "en-029", "en-us+m3", "en-gb-scotland", "en+f2"],
          "ko": ["ko", "ko+m3", "ko+f2", "ko+m1"]}
# --people held-out: voices no model or threshold was ever trained or tuned on (for results, never for tuning)
HELD_OUT = {"en": [f"{base}+{variant}" if variant else base
                   for variant in EN_EVAL_VARIANTS[:4] for base in EN_RESERVED],
            "ko": [f"ko+{variant}" for variant in KO_EVAL_VARIANTS]}
SAID = {"en": {"arched": "arched", "pause": "pause", "done": "done", "stop": "stop", "pain": "pain"},
        "ko": {"arched": "허리", "pause": "잠깐", "done": "완료", "stop": "그만", "pain": "아파"}}


def rooms(n: int, seed: int = 0) -> list[Room]:
    """``n`` rooms: delays 10-400 ms, the echo 1 to 2 times the person's level, reverberation and
    speaker distortion drawn at random (seeded)."""
    rng = np.random.default_rng(seed)
    return [Room(float(rng.uniform(0.01, 0.4)), float(rng.uniform(1.0, 2.0)), rt60_s=float(rng.uniform(0.1, 0.5)),
                 drive=float(rng.choice([0.5, 1.0, 1.5])), seed=int(rng.integers(1 << 30))) for _ in range(n)]


def tracker_error_ms(chain, true_delay_s: float) -> float:
    """The delay the tracker holds at the end of the session, as an error in ms against the truth."""
    return abs(chain.tracker.delay_s - true_delay_s) * 1000 if chain.tracker.delay_s is not None else float("inf")


def bench(language: str, args: argparse.Namespace) -> None:
    command, voices = args.command, (HELD_OUT if args.people == "held-out" else PEOPLE)[language]
    word = SAID[language][command] if args.phrase is None else args.phrase
    grammar = catalog.load_grammar(language)
    phrases = [p for p, c in grammar.phrases.items() if c == command]
    if word not in phrases:
        sys.exit(f"bench_duplex: {word!r} is not a {command} phrase of grammars/{language}.toml; "
                 f"say one of: {', '.join(phrases)}")
    make, which = ears_maker(language, engine=args.engine)
    with tempfile.TemporaryDirectory(prefix="matcoach-duplex-") as cache:
        coach = coach_session(language, Path(cache), sets=1, reps=args.reps)
    seconds = len(coach.audio) / RATE
    hits = total = wrong = self_triggers = 0
    errors: list[float] = []
    t0 = time.process_time()
    for i, room in enumerate(rooms(args.rooms, seed=args.seed)):
        said, spoken = over_the_countdown(coach, word, voices, seed=room.seed % 1000)

        def mic(words: list, room: Room = room, i: int = i) -> tuple[np.ndarray, float]:
            if args.drift:
                return drifting_microphone(coach.audio, room, words, seed=i)
            return microphone(coach.audio, room, words, seed=i), room.delay_s

        heard, delay_s = mic(said)
        found, chain = replay(lambda: make(grammar), heard, coach.audio)
        n, other = heard_in_time(found, spoken, command)
        hits, total, wrong = hits + n, total + len(spoken), wrong + len(other)
        errors.append(tracker_error_ms(chain, delay_s))
        quiet = []
        if args.self_triggers:
            quiet, _ = replay(lambda: make(grammar), mic([])[0], coach.audio)
        self_triggers += len(quiet)
        print(f"  {language} room {i + 1:2d}: delay {room.delay_s * 1000:3.0f} ms, echo x{room.level:.1f}, "
              f"rt60 {room.rt60_s:.2f} s, drive {room.drive}: {command} {n}/{len(spoken)}, other {len(other)}, "
              f"self-triggers {len(quiet)}" + "".join(f" [{d.command} at {d.start:.1f} s]" for d in quiet), flush=True)
    hours = args.rooms * seconds / 3600
    quiet = (f"self-triggers {self_triggers} in {hours * 60:.1f} min of sessions ({self_triggers / hours:.1f} per hour)"
             if args.self_triggers else "self-triggers not measured")
    drift = (" with a drifting echo" if args.drift else "") + (", held-out people" if args.people == "held-out" else "")
    print(f"{language} ({which}){drift}: barge-in recall ({command}, {word!r}) {hits}/{total} = "
          f"{hits / max(1, total):.3f}; "
          f"other commands heard in those sessions {wrong}; {quiet}; tracker error median {np.median(errors):.1f} ms, "
          f"worst {max(errors):.1f} ms; CPU {time.process_time() - t0:.0f} s for {2 * hours * 60:.1f} min of audio",
          flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--language", default="all", choices=["en", "ko", "all"])
    ap.add_argument("--reps", type=int, default=8, help="reps in the session (one arched per countdown)")
    ap.add_argument("--rooms", type=int, default=12)
    ap.add_argument("--engine", default="auto")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--command", default="arched", choices=sorted(SAID["en"]),
                    help="the command said over every countdown (default arched)")
    ap.add_argument("--phrase", default=None, help="say this phrase of the command instead (one per language run)")
    ap.add_argument("--no-self-triggers", dest="self_triggers", action="store_false",
                    help="skip the sessions with nobody speaking")
    ap.add_argument("--drift", action="store_true", help="the echo comes 5-20 ms later every 8-12 s")
    ap.add_argument("--people", default="training", choices=["training", "held-out"],
                    help="who says the command: espeak-ng training voices (the default), or the held-out ones "
                         "(en-us-nyc and en-gb-x-gbclan variants, Korean evaluation variants): figures to report, "
                         "never to tune on")
    args = ap.parse_args()
    for language in (["en", "ko"] if args.language == "all" else [args.language]):
        bench(language, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
