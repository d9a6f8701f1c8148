"""A live coach asks the system for a higher CPU priority than ordinary programs, where allowed.

Its audio must come on time: a speaker callback starved for 100 ms runs the device dry, the coach's
voice stutters, its echo jumps against the reference, and the echo gate, learning the residue again
after each jump, drops the person's "arched" said over the countdown. Measured live on 2 cores with
five busy programs beside a session: 62 underruns, slips of the echo of up to 278 ms, and the
English arched test failed 2 runs of 2; the same five programs at nice 10 (as if matcoach ran at
-10 beside them): no underrun, both passed.

Linux keeps a nice value per thread and new threads inherit their creator's, so every thread the
process has is raised, and the ones started later (the audio callbacks, the listener) follow. Only
root, CAP_SYS_NICE or a raised RLIMIT_NICE allow it (the README's "Raspberry Pi" section says how);
without, the coach runs as it was and says so in the debug log.
"""

import logging
import os
import threading

log = logging.getLogger(__name__)
NICE = -10   # what PulseAudio asks for its own threads (-11); far from the real-time classes


def raise_priority(nice: int = NICE) -> int | None:
    """Move every thread of this process to ``nice`` or as close to it as allowed; the nice value
    now held (None where priorities cannot be changed, or not at all)."""
    if not hasattr(os, "setpriority"):
        return None
    try:
        current = os.getpriority(os.PRIO_PROCESS, 0)
    except OSError:
        return None
    for wanted in range(nice, current):
        try:
            for tid in _threads():
                os.setpriority(os.PRIO_PROCESS, tid, wanted)
        except PermissionError:
            continue
        except OSError as e:   # a thread that ended meanwhile: the others are raised
            log.debug("raising a thread's priority: %s", e)
        log.info("running at nice %d (was %d): the coach's audio comes first on a busy machine", wanted, current)
        return wanted
    if current > nice:
        log.debug("running at nice %d: a higher priority is not allowed here (see the README, \"Raspberry Pi\")",
                  current)
    return current


def _threads() -> list[int]:
    """This process's threads (the calling one first), or only the calling one where /proc is missing."""
    me = threading.get_native_id()
    try:
        others = [int(t) for t in os.listdir("/proc/self/task") if int(t) != me]
    except OSError:
        others = []
    return [me, *others]
