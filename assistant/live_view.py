"""The glanceable screen of a live session on a terminal: what the coach is doing, set and rep,
the count, and the last command heard with its confidence. The timeline scrolls above it."""

from collections.abc import Callable
from types import TracebackType
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from assistant.events import (
    Cue,
    DeviceBack,
    DeviceLost,
    Event,
    Heard,
    Paused,
    RepCounted,
    RepFailed,
    Resumed,
    SetStarted,
    StepStarted,
    Summary,
)
from assistant.timeline import timeline_line

# what the person is doing, by the cue that starts it
PHASES = {"brace": "brace", "lift": "lift", "lift-gentle": "lift", "top": "hold at the top", "lower": "lower",
          "rest": "rest", "ready": "get ready", "ready-first-rep": "get ready"}


class LiveView:
    """An event sink: ``with LiveView(clock) as view: ... view(event)``."""

    def __init__(self, now: Callable[[], float], console: Console | None = None) -> None:
        self.now = now
        self.phase = "starting"
        self.where = ""
        self.perfect = 0
        self.failed = 0
        self.count: str = ""
        self.heard = "nothing yet"
        self.devices: set[str] = set()
        self.rest_until: float | None = None
        self._live = Live(console=console or Console(), get_renderable=self.render, refresh_per_second=4,
                          transient=True)

    def __enter__(self) -> "LiveView":
        self._live.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._live.stop()

    def __call__(self, event: Event) -> None:
        self.update(event)
        self._live.console.print(timeline_line(event), highlight=False)

    def update(self, event: Event) -> None:
        if isinstance(event, Cue):
            if event.cue in PHASES:
                self.phase = PHASES[event.cue]
                self.count = ""
                self.rest_until = event.t + event.args["seconds"] if event.cue == "rest" else None
            elif event.cue == "count":
                self.count = str(event.args.get("n", ""))
        elif isinstance(event, StepStarted):
            self.phase, self.where = event.exercise.replace("-", " "), "warm-up"
        elif isinstance(event, SetStarted):
            self.where, self.perfect, self.failed = f"set {event.set}, {event.variation}", 0, 0
        elif isinstance(event, RepCounted):
            self.perfect = event.perfect
        elif isinstance(event, RepFailed):
            self.failed += 1
        elif isinstance(event, Heard):
            sure = f" ({event.confidence:.0%})" if event.confidence is not None else ""
            self.heard = f"{event.command}{sure}"
        elif isinstance(event, Paused):
            self.phase = "paused"
        elif isinstance(event, Resumed):
            self.phase = event.to
        elif isinstance(event, DeviceLost):
            self.devices.add(event.device)
        elif isinstance(event, DeviceBack):
            self.devices.discard(event.device)
        elif isinstance(event, Summary):
            self.phase = "finished"

    def render(self) -> Any:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column()
        phase = self.phase
        if self.rest_until is not None and self.phase == "rest":
            phase = f"rest, {max(0, round(self.rest_until - self.now()))} s left"
        elif self.count:
            phase = f"{phase}  {self.count}"
        grid.add_row("now", Text(phase, style="bold cyan"))
        if self.where:
            attempts = f"{self.perfect} perfect, {self.failed} arched"
            grid.add_row("set", f"{self.where}: {attempts}")
        grid.add_row("heard", self.heard)
        parts: list[Any] = [grid]
        if self.devices:
            parts.append(Text(f"{' and '.join(sorted(self.devices))} gone: paused until it is back", style="bold red"))
        return Panel(Group(*parts), title="matcoach", border_style="cyan", expand=False)
