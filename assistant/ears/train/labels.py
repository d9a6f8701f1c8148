"""Per-embedding labels of a synthetic scene: where a command ends, and what the model must learn there.

- a command said by the person (``Mark.kind == "command"``): windows whose newest audio lies
  ``POS_LO..POS_HI`` s after the word end are that command (the word has just ended, and a little
  of what follows is heard); windows still inside the word, or a little later, are ignored; all
  others are "none". So the model fires once, right after the word.
- a command phrase inside longer talk (``"inside"``): ignored up to ``POS_LO`` after its end (the
  model cannot know yet), "none" from then on: talk that goes on is not a command.
- the coach's own voice saying a command word (``"coach"``): "none" throughout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.ears.embedding import emb_time

RATE = 16000
POS_LO, POS_HI = 0.06, 0.40      # positive band after a command's end (s)
IGNORE_AFTER = 0.70              # ignore up to this long after a command's end
IGNORE = -1


@dataclass
class Mark:
    kind: str        # "command", "inside", "coach"
    cls: int         # class index (1..C)
    start: float
    end: float


def labels(scene_len_s: float, marks: list[Mark], n_emb: int) -> np.ndarray:
    """Per-embedding label: 0 none, c >= 1 a command, -1 ignore."""
    t = emb_time(np.arange(n_emb))
    lab = np.zeros(n_emb, np.int8)
    ignore = np.zeros(n_emb, bool)
    pos = np.zeros(n_emb, np.int16)
    for m in marks:
        if m.kind == "command":
            ignore |= (t > m.start + 0.1) & (t < m.end + POS_LO)
            ignore |= (t > m.end + POS_HI) & (t < m.end + IGNORE_AFTER)
            band = (t >= m.end + POS_LO) & (t <= m.end + POS_HI)
            pos[band] = m.cls
        elif m.kind == "inside":
            ignore |= (t > m.end - 0.3) & (t < m.end + POS_LO)
    lab[ignore] = IGNORE
    lab[pos > 0] = pos[pos > 0]
    return lab
