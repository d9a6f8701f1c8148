"""The spoken commands the session understands."""

from enum import Enum


class Command(Enum):
    DONE = "done"
    ARCHED = "arched"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"
    REPEAT = "repeat"
    EASIER = "easier"
    HARDER = "harder"
    PAIN = "pain"
    SLOWER = "slower"  # a slower descent (3 -> 4 s), within the protocol
    FASTER = "faster"  # back to the 3 s descent, never quicker

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(c.value for c in cls)


# Phrases that start a session hands-free; they are not session commands.
START = "start"
