"""Listening benchmark, per engine: recall per command and condition, false commands per minute of
other talk and breathing, latency (detected_at minus the end of the spoken words), real-time factor
and peak memory. Speech is espeak-ng's. Prints figures; asserts nothing.

    python tests/bench/bench_ears.py [pocketsphinx|vosk ...]
"""

import resource
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from assistant.data import catalog
from assistant.ears.recognizer import blocks, hear
from tests.speechdata import ENGLISH_VOICES, KOREAN_TALK, SMALL_TALK, say, scene, score

CONDITIONS = [("quiet", None, 0.0), ("fan noise 15 dB", "pink", 15.0), ("breathing 10 dB", "breath", 10.0)]


def engines(names):
    from assistant.ears.engines import open_ears
    for name in names:
        language = "en" if name == "pocketsphinx" else "ko"
        grammar = catalog.load_grammar(language)
        yield name, language, grammar, lambda g=grammar, n=name: open_ears(g, engine=n)[0]


def run(make, audio):
    ears = make()
    t = time.process_time()
    found = list(hear(ears, blocks(audio)))
    return found, time.process_time() - t


def main(names):
    for name, language, grammar, make in engines(names):
        make()  # load once so RSS includes the model
        voices = ENGLISH_VOICES if language == "en" else ["ko", "ko+f3"]
        speeds = (130, 175)
        per_command, per_condition, latencies, cpu, audio_s = defaultdict(list), defaultdict(list), [], 0.0, 0.0
        false_in_commands = 0
        for label, background, snr in CONDITIONS:
            for voice in voices:
                for speed in speeds:
                    phrases = list(grammar.phrases)
                    audio, spoken = scene([say(p, voice, speed) for p in phrases], phrases,
                                          background=background, snr_db=snr, seed=speed)
                    found, seconds = run(make, audio)
                    cpu, audio_s = cpu + seconds, audio_s + len(audio) / 16000
                    result = score(found, spoken, dict(grammar.phrases))
                    false_in_commands += len(result.false) + len(result.wrong)
                    for s in spoken:
                        ok = any(h is s for h, _ in result.hits)
                        per_command[grammar.phrases[s.text]].append(ok)
                        per_condition[label].append(ok)
                    latencies += result.latencies
        talk = SMALL_TALK if language == "en" else KOREAN_TALK
        false, minutes = 0, 0.0
        for background, snr in ((None, 0.0), ("breath", 0.0)):
            for voice in voices:
                audio, _ = scene([say(t, voice, 165) for t in talk], talk, gap_s=0.6, background=background,
                                 snr_db=snr, seed=7)
                found, seconds = run(make, audio)
                cpu, audio_s = cpu + seconds, audio_s + len(audio) / 16000
                false += len(found)
                minutes += len(audio) / 16000 / 60
        recall = [ok for oks in per_condition.values() for ok in oks]
        print(f"== {name} ({language}, {len(voices)} voices x {len(speeds)} speeds x {len(CONDITIONS)} conditions)")
        print(f"recall {np.mean(recall):.3f} ({sum(recall)}/{len(recall)})")
        for label, oks in per_condition.items():
            print(f"  {label:18s} {np.mean(oks):.3f}")
        for command, oks in sorted(per_command.items()):
            print(f"  {command:18s} {np.mean(oks):.3f} ({sum(oks)}/{len(oks)})")
        print(f"wrong or repeated commands among the {len(recall)} spoken: {false_in_commands}")
        print(f"false commands per minute of other talk and breathing: {false / minutes:.2f} "
              f"({false} in {minutes:.1f} min)")
        if latencies:
            print(f"latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
                  f"p95 {np.percentile(latencies, 95) * 1000:.0f} ms (n={len(latencies)})")
        print(f"real-time factor (CPU s per audio s) {cpu / audio_s:.3f}")
        print(f"peak RSS so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        sys.stdout.flush()


if __name__ == "__main__":
    names = sys.argv[1:] or ["pocketsphinx", "vosk"]
    if len(names) == 1:
        main(names)
    else:  # one process per engine, so each peak RSS is its own
        import subprocess
        for name in names:
            subprocess.run([sys.executable, __file__, name], check=True)
