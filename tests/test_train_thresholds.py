"""Choosing the command model's thresholds on validation audio: the allowance of false events per
command, and the stricter rules for stop and the more lenient one for pain."""

import numpy as np
import pytest

from assistant.ears.train.data import Stream
from assistant.ears.train.thresholds import ALLOWANCE, choose_event_thresholds, event_scores

COMMANDS = ["done", "stop", "pain"]
WINDOW = 1


def stream(events: list[tuple[int, int, float]], n: int = 400):
    """A validation stream of ``n`` embeddings and its window probabilities: each (class, at, p) is a
    spoken command of that class ending its positive run at ``at`` (class > 0, probability ``p``) or,
    with class < 0, a stray peak of ``-class`` at ``at`` where nothing was said."""
    lab = np.zeros(n, np.int8)
    probs = np.zeros((n, len(COMMANDS) + 1), np.float32)
    probs[:, 0] = 1.0
    for cls, at, p in events:
        c = abs(cls)
        if cls > 0:
            lab[at - 3:at + 1] = c
        probs[at, c] = p
        probs[at, 0] = 1 - p
    return Stream(lab.copy(), lab, "commands", "clean", True), probs


@pytest.fixture
def validation():
    """Each command said twice at 0.97 and 0.93; one stray peak of each at 0.95 where nothing was said."""
    events = []
    at = 20
    for c in (1, 2, 3):
        for p in (0.97, 0.93):
            events.append((c, at, p))
            at += 30
        events.append((-c, at, 0.95))
        at += 30
    s, p = stream(events)
    return [s], [p]


def test_without_an_allowance_a_threshold_sits_above_every_stray_peak(validation):
    streams, probs = validation
    th = choose_event_thresholds(streams, probs, WINDOW, COMMANDS, allowance=0, log=lambda *_: None)
    done, stop, pain = th
    assert 0.95 < done <= 0.97
    assert stop > done                   # stop: one grid step stricter still
    assert pain < 0.93                   # pain may have one false event: it keeps both
    found, total, false, _ = event_scores(streams, probs, WINDOW, th, COMMANDS)
    # stop's margin costs it even its 0.97 take; pain keeps both at its one false event
    assert list(found) == [1, 0, 2] and list(false) == [0, 0, 1]


def test_an_allowance_of_one_lets_a_command_keep_a_quieter_take_at_one_false_event(validation):
    streams, probs = validation
    th = choose_event_thresholds(streams, probs, WINDOW, COMMANDS, allowance=1, log=lambda *_: None)
    found, _, false, _ = event_scores(streams, probs, WINDOW, th, COMMANDS)
    assert th[0] <= 0.93 and found[0] == 2 and false[0] == 1
    # a false stop ends a workout: stop never gets the allowance
    assert th[1] > 0.95 and false[1] == 0


def test_every_shipped_command_model_has_an_allowance():
    from assistant.ears.command_model import MODELS

    shipped = {p.stem.removeprefix("commands-") for p in MODELS.glob("commands-*.npz")}
    assert shipped and set(ALLOWANCE) >= shipped
