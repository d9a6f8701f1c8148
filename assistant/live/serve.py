"""Serving by the mat: idle ears wait for a start phrase, the session it names runs live, then idle again."""

import logging
from collections.abc import Callable
from typing import Any

from assistant.core.commands import START
from assistant.core.events import Event
from assistant.core.grammar import Grammar
from assistant.ears.gate import GatedEars, wait_for_start
from assistant.ears.recognizer import Recognizer
from assistant.live.session import LiveSetup, run_live_session, sigterm_as_interrupt

log = logging.getLogger(__name__)


def serve(grammar: Grammar, idle: GatedEars, make_ears: Callable[[], Recognizer],
          setup_for: Callable[[str | None], LiveSetup],
          show: Callable[[Event], None], *, mic_device: int | None, tell: Callable[[str], None],
          view: Callable[[Callable[[], float]], Any] | None = None, once: bool = False) -> int:
    """Wait for start phrases and run the sessions they name until Ctrl-C, SIGTERM or (``once``) the
    first session ends; ``setup_for(variation)`` says what to run, ``make_ears()`` gives each session
    its recognizer. Returns how many sessions ran."""
    from assistant.live.mic import Microphone
    from assistant.live.priority import raise_priority

    raise_priority()
    starts = [p for p, c in grammar.phrases.items() if c == START]
    sessions = 0
    with sigterm_as_interrupt():
        try:
            while True:
                with Microphone(mic_device) as mic:  # open before saying so: words said meanwhile are heard
                    tell(f"waiting; say {' or '.join(repr(p) for p in starts[:3])} to start")
                    found = wait_for_start(idle, mic.blocks())
                if found is None:
                    return sessions
                named = grammar.variation_for(found.phrase)
                log.info("heard %r (confidence %.2f)%s", found.phrase, found.confidence,
                         f": {named}" if named else "")
                tell(f"heard \"{found.phrase}\": starting{f' {named}' if named else ''}")
                sessions += 1
                if run_live_session(setup_for(named), make_ears, show, tell=tell, view=view) or once:
                    break
                idle.finish()  # back to idle with nothing half-heard from before the session
        except KeyboardInterrupt:
            pass
    return sessions
