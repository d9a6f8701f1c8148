"""One live session: the speaker, the microphone, the listener thread and the coach loop wired
together, with echo cancellation, the echo gate, the history record and a clean end on Ctrl-C
or SIGTERM."""

import logging
import queue
import signal
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
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
    record_audio: Path | None = None  # keep both tracks (mic.wav, ref.wav) in this folder


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


def run_live_session(setup: LiveSetup, make_ears: Callable[[], Recognizer], show: Callable[[Event], None], *,
                     tell: Callable[[str], None], view: Callable[[Callable[[], float]], Any] | None = None) -> bool:
    """Run one live session to its end; True when Ctrl-C or SIGTERM ended it.

    ``make_ears`` gives the session its recognizer (a fresh one, so that the session's chain starts
    from nothing, as a replay of its recording does). ``show`` takes every event (the public ones
    are for people; see Event.public); ``view``, when given, makes a context manager for a live
    screen over the speaker's clock that takes the events instead; ``tell`` says a status line.
    """
    from assistant.core.runner import run
    from assistant.core.session import Session
    from assistant.history.record import SessionRecord
    from assistant.live.aec import Reference
    from assistant.live.duplex import DuplexEars
    from assistant.live.listener import Listener, LiveCommands, device_reporter
    from assistant.live.mic import Microphone
    from assistant.live.priority import raise_priority
    from assistant.live.speaker import Speaker
    from assistant.voice.speaking import make_clips, spoken_voice, warm

    raise_priority()  # before the audio threads start: they inherit it
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
        # closed in reverse order: the microphone (which ends the listener's loop), the listener
        # joined, and only then what the listener thread uses
        chain = DuplexEars(make_ears(), cancel=setup.echo_cancel)
        listening: list[Listener] = []
        stack.callback(lambda: None if any(t.is_alive() for t in listening) else chain.close())
        tracks = None
        if setup.record_audio is not None:
            from assistant.live.tracks import Tracks

            tracks = Tracks(setup.record_audio)
            stack.callback(tracks.close)
        stack.callback(lambda: [t.join(timeout=5) for t in listening])
        mic = stack.enter_context(Microphone(setup.mic_device, on_change=device_reporter(inbox, "microphone")))
        stack.enter_context(sigterm_as_interrupt())
        if view is not None:
            sink = stack.enter_context(view(speaker.now))
        listener = Listener(chain, mic, speaker, inbox,
                            reference=Reference(speaker.played_audio, speaker.frames_at, speaker.rate,
                                                frames_at_dac=speaker.frames_at_dac),
                            time_of=speaker.time_of,
                            lost=lambda: mic.revival.reopened + speaker.revival.reopened + mic.dropped,
                            tracks=tracks)
        session = Session(routine, variations, speaker, spoken_voice(pack, clips, speaker), emit, advice=advice,
                          talk=setup.talk)
        listening.append(listener)
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
    if listener.echoes:
        log.info("ignored %d commands that were the coach's own voice", listener.echoes)
    if setup.record_audio is not None:
        tell(f"recorded the microphone and the coach's voice to {setup.record_audio} (replay: matcoach listen "
             f"--file {setup.record_audio / 'mic.wav'} --reference {setup.record_audio / 'ref.wav'})")
    if record is not None and record.path is not None:
        tell(f"saved to {record.path}")
    return interrupted
