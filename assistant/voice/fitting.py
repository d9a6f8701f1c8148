"""Measuring cue lines in the coach's real voice against the tight slots they must fit (core.slots)."""

from collections.abc import Callable
from pathlib import Path

from assistant.core.errors import MatcoachError
from assistant.core.pack import Line, Pack
from assistant.core.routine import Routine
from assistant.core.slots import Misfit, tight_slots
from assistant.core.slots import misfits as find_misfits
from assistant.data import catalog

# The live session's output rate: measuring renders into the same cache a session reads.
MEASURE_RATE = 48000


def routines() -> list[Routine]:
    """Every routine that loads (a broken one is reported by `matcoach routines`, not here)."""
    variations = catalog.load_variations()
    found = []
    for entry in catalog.routine_files().values():
        try:
            found.append(catalog.load_routine_file(entry.path, variations))
        except MatcoachError:
            continue
    return found


def misfits(pack: Pack, only: Callable[[Line], bool] = lambda line: True) -> list[Misfit]:
    """The lines of ``pack`` too long for their slot, said in the pack's own voice."""
    from assistant.voice.speaking import make_clips

    slots = [slot for slot in tight_slots(routines(), catalog.load_variations().order)
             if any(map(only, pack.cues.get(slot.cue, ())))]
    if not slots:  # nothing to measure: the speech engine is not even started
        return []
    clips = make_clips(pack, MEASURE_RATE)
    return find_misfits(pack, slots, clips.duration, only)


def describe(misfit: Misfit, files: dict[str, Path]) -> str:
    """One line naming the file, the cue, the line, its length, the slot and the fix."""
    line, slot = misfit.line, misfit.slot
    said = f" (as {misfit.said.text!r})" if misfit.said.text != line.text and not line.wav else ""
    what = f"the recording {line.wav}" if line.wav else f"line {line.text!r}"
    fix = "record it shorter" if line.wav else "shorten it"
    where = files.get(line.source, "")
    return (f"{where}: cue {slot.cue!r} {what} takes {misfit.seconds:.2f} s to say{said}, but must fit in "
            f"{misfit.limit:.2f} s ({slot.why}); {fix}")
