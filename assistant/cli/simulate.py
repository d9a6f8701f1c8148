"""``matcoach simulate``: a whole session in virtual time, with scripted commands."""

import argparse
from pathlib import Path

from assistant.cli.options import add_session_options, iso_date, within
from assistant.cli.simulated import run_simulated
from assistant.core.limits import SAMPLE_RATE, SPEED


def add_simulate_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "simulate", help="run a session in virtual time (no audio)",
        description="Run a whole session in virtual time and print what the coach says and what happens. "
                    "Commands are said at chosen session times with --say.")
    add_session_options(p)
    p.add_argument("--say", metavar="T:COMMAND", action="extend", nargs="+", default=[],
                   help="say COMMAND (or a phrase from the grammar) at session time T seconds "
                        "(or M:SS); e.g. --say 95:arched 130:pause 150:resume")
    p.add_argument("--json", action="store_true", help="one JSON object per line; the summary is last")
    p.add_argument("--record", action="store_true",
                   help="keep this session in the history (simulated sessions are not recorded by default)")
    p.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD",
                   help="run it as if on that day: the history is read, and --record keeps it, for that day "
                        "(to try out the progression ladder)")
    p.add_argument("--speed", type=within(SPEED), metavar="X",
                   help="unfold in real time, X times faster (e.g. 1 for real time, 10 to watch a demo); "
                        "default: as fast as possible")
    p.add_argument("--out-wav", type=Path, metavar="FILE.wav",
                   help="write the whole session's audio to a WAV file (no sound card needed)")
    p.add_argument("--play", action="store_true", help="speak the session through the speaker, in real time")
    p.add_argument("--output-device", metavar="INDEX|NAME", help="the speaker for --play (default: the system's)")
    p.add_argument("--sample-rate", type=within(SAMPLE_RATE), metavar="HZ",
                   help="audio sample rate (default: 22050 for --out-wav, 48000 for --play)")
    p.set_defaults(run=run_simulated)
