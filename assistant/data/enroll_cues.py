"""The cue ids guided enrollment says (`matcoach enroll` without takes), with their parameters.

They are not the session's cues (assistant.core.cues), but every voice pack gives text for them
too, and `matcoach cues check` checks them the same way.
"""

ENROLLMENT_CUES: dict[str, tuple[str, ...]] = {
    "enroll-welcome": ("takes",),     # what is about to happen: each command, ``takes`` times, lying on the mat
    "enroll-say": ("phrase",),        # the first take of a command: say ``phrase``
    "enroll-again": ("phrase",),      # the next take of the same command
    "enroll-unheard": ("phrase",),    # nothing was heard in time
    "enroll-quiet": (),               # a take refused: too quiet
    "enroll-clipped": (),             # ... clipped: too loud or too close
    "enroll-long": (),                # ... too long: just the command
    "enroll-noise": (),               # ... mostly noise
    "enroll-unlike": (),              # ... unlike the other takes
    "enroll-fitting": (),             # learning from the takes (a few seconds)
    "enroll-done": (),                # finished: the coach knows your voice now
}

# values for showing and checking these cues (`matcoach cues`)
ENROLLMENT_EXAMPLES = {"takes": 3, "phrase": "done"}
