"""The glanceable screen of a live session on a terminal: what the coach is doing, set and rep,
the count, and the last command heard with its confidence. The timeline scrolls above it."""

from collections.abc import Callable
from functools import singledispatchmethod
from types import TracebackType
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from assistant.core.events import (
    Cue,
    DeviceBack,
    DeviceLost,
    Event,
    Heard,
    Paused,
    PhaseStarted,
    RepCounted,
    RepFailed,
    Resumed,
    SetStarted,
    StepStarted,
    Summary,
    timeline_line,
)

# what the person is doing, by the phase the session entered
PHASES = {"guide": "warm-up", "ready": "get ready", "brace": "brace", "lift": "lift", "top": "hold at the top",
          "lower": "lower", "bottom": "hover above the floor", "rest": "rest"}


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
        if event.public:
            self._live.console.print(timeline_line(event), highlight=False)

    @singledispatchmethod
    def update(self, event: Event) -> None:
        """Events that change nothing on the panel."""

    @update.register
    def _(self, event: PhaseStarted) -> None:
        if event.phase != "guide":  # a guided step is named by its exercise (StepStarted)
            self.phase = PHASES.get(event.phase, event.phase)
        self.count = ""
        self.rest_until = event.ends_at if event.phase == "rest" else None

    @update.register
    def _(self, event: Cue) -> None:
        if event.cue == "count":
            self.count = str(event.args.get("n", ""))

    @update.register
    def _(self, event: StepStarted) -> None:
        self.phase, self.where = event.exercise.replace("-", " "), "warm-up"

    @update.register
    def _(self, event: SetStarted) -> None:
        self.where, self.perfect, self.failed = f"set {event.set}, {event.variation}", 0, 0

    @update.register
    def _(self, event: RepCounted) -> None:
        self.perfect = event.perfect

    @update.register
    def _(self, event: RepFailed) -> None:
        self.failed += 1

    @update.register
    def _(self, event: Heard) -> None:
        sure = f" ({event.confidence:.0%})" if event.confidence is not None else ""
        self.heard = f"{event.command}{sure}"

    @update.register
    def _(self, event: Paused) -> None:
        self.phase = "paused"

    @update.register
    def _(self, event: Resumed) -> None:
        self.phase = PHASES.get(event.to, event.to)

    @update.register
    def _(self, event: DeviceLost) -> None:
        self.devices.add(event.device)

    @update.register
    def _(self, event: DeviceBack) -> None:
        self.devices.discard(event.device)

    @update.register
    def _(self, event: Summary) -> None:
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
