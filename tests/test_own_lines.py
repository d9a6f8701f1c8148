"""The coach's own lines are recognised by their sound, and a command in them is not the person's."""

import numpy as np
import pytest

from assistant.ears import own_lines
from assistant.ears.own_lines import OwnLines


def bank(tmp_path, segments, threshold=0.85):
    path = tmp_path / "own-lines-xx.npz"
    mu = np.concatenate(segments).mean(axis=0)
    own_lines.save(path, "xx", k=5, threshold=threshold, mu=mu, segments=segments)
    return OwnLines.load(path)


def test_a_stretch_of_the_coachs_own_line_matches_and_other_speech_does_not(tmp_path):
    rng = np.random.default_rng(0)
    line = rng.normal(size=(30, 96)).astype(np.float32)
    own = bank(tmp_path, [line, rng.normal(size=(20, 96)).astype(np.float32)])
    heard = line[10:26] + rng.normal(scale=0.05, size=(16, 96)).astype(np.float32)  # the line, a little noisy
    assert own.similarity(heard) > 0.95
    assert own.said_by_coach("arched", heard)
    assert not own.said_by_coach("pain", heard)       # a missed pain is worse than a false one
    other = rng.normal(size=(16, 96)).astype(np.float32)
    assert own.similarity(other) < 0.5 and not own.said_by_coach("arched", other)


def test_windows_never_span_two_stretches_of_the_bank(tmp_path):
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(6, 96)).astype(np.float32), rng.normal(size=(6, 96)).astype(np.float32)
    own = bank(tmp_path, [a, b])
    assert len(own.bank) == 2 + 2                     # 6 - 5 + 1 windows in each
    assert own.similarity(np.concatenate([a[-3:], b[:2]])) < 0.9


def test_too_little_heard_is_no_match(tmp_path):
    rng = np.random.default_rng(2)
    own = bank(tmp_path, [rng.normal(size=(10, 96)).astype(np.float32)])
    assert own.similarity(np.zeros((3, 96), np.float32)) == 0.0


@pytest.mark.parametrize("language", ["en", "ko"])
def test_each_shipped_language_has_a_small_bank_of_its_coachs_lines(language):
    own = OwnLines.shipped(language)
    assert own is not None and own.language == language and own.k == 5
    assert 0.8 <= own.threshold < 1.0 and len(own.bank) > 500
    assert (own_lines.MODELS / f"own-lines-{language}.npz").stat().st_size < 300_000
