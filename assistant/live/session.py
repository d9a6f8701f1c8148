"""One live session: the speaker, the microphone, the listener thread and the coach loop wired
together, with echo cancellation, the echo gate, the history record and a clean end on Ctrl-C
or SIGTERM."""

import logging
import queue
import signal
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from assistant.core.events import EndReason, Event
from assistant.core.fading import DEFAULT_TALK
from assistant.core.pack import Pack
from assistant.core.progression import Advice
from assistant.core.routine import Routine, Variations
from assistant.ears.recognizer import Recognizer

log = logging.getLogger(__name__)
OUTPUT_RATE = 48000


@dataclass(frozen=True, kw_only=True)
class LiveSetup:
    """What a live session needs besides its ears: what to run, where to play and listen, what to keep."""

    routine: Routine
    variations: Variations
    pack: Pack
    speaker_device: int | None
    mic_device: int | None
    record: bool = True
    echo_cancel: bool = True
    advice: Advice = Advice()   # what the history says (assistant.core.ladder shaped the routine)
    talk: str = DEFAULT_TALK


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """A service manager's SIGTERM ends the session like Ctrl-C: summary saved, clean exit."""

    def interrupt(*_: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_live_session(setup: LiveSetup, ears: Recognizer, show: Callable[[Event], None], *,
                     tell: Callable[[str], None], view: Callable[[Callable[[], float]], Any] | None = None) -> bool:
    """Run one live session to its end; True when Ctrl-C or SIGTERM ended it.

    ``show`` takes every event (the public ones are for people; see Event.public); ``view``, when
    given, makes a context manager for a live screen over the speaker's clock that takes the events
    instead; ``tell`` says a status line.
    """
    from assistant.core.runner import run
    from assistant.core.session import Session
    from assistant.history.record import SessionRecord
    from assistant.live.aec import canceller_for
    from assistant.live.echo_gate import EchoGate, gate_sink
    from assistant.live.listener import Listener, LiveCommands, device_reporter
    from assistant.live.mic import Microphone
    from assistant.live.speaker import Speaker
    from assistant.voice.speaking import make_clips, spoken_voice, warm

    routine, variations, pack = setup.routine, setup.variations, setup.pack
    advice = setup.advice
    clips = make_clips(pack, OUTPUT_RATE)
    warm(clips, pack, routine, variations, advice)
    record = SessionRecord(routine, simulated=False) if setup.record else None
    sink = show

    def emit(event: Event) -> None:
        if record is not None and event.public:
            record(event)  # on record before it is shown
        sink(event)

    inbox: queue.Queue = queue.Queue()
    interrupted = False
    with ExitStack() as stack:
        speaker = stack.enter_context(Speaker(setup.speaker_device, OUTPUT_RATE,
                                              on_change=device_reporter(inbox, "speaker")))
        mic = stack.enter_context(Microphone(setup.mic_device, on_change=device_reporter(inbox, "microphone")))
        stack.enter_context(sigterm_as_interrupt())
        if view is not None:
            sink = stack.enter_context(view(speaker.now))
        gate = EchoGate(speaker.level)
        listener = Listener(ears, mic.blocks, speaker, gate, inbox,
                            cancel=canceller_for(speaker, mic) if setup.echo_cancel else None)
        session = Session(routine, variations, speaker, spoken_voice(pack, clips, speaker),
                          gate_sink(gate, emit), advice=advice, talk=setup.talk)
        listener.start()
        tell("listening; say a command at any time, Ctrl-C to end")
        try:
            run(session, LiveCommands(speaker, inbox))
            speaker.drain()
        except KeyboardInterrupt:
            interrupted = True
            if not session.finished:
                session.end_input(EndReason.INTERRUPTED)
            tell("ended with Ctrl-C; everything done is kept")
        finally:
            listener.stopping.set()
    listener.join(timeout=5)  # the closed microphone ends its loop
    if listener.echoes:
        log.info("ignored %d commands that were the coach's own words", listener.echoes)
    if record is not None and record.path is not None:
        tell(f"saved to {record.path}")
    return interrupted
