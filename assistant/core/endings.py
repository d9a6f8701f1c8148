"""How a session ends, honestly: a summary and thanks after a finished session, a plain summary
after a stop, a short kind line when nothing was done, and after pain no congratulations at all.
A mixin of the Session (assistant.core.session)."""

from collections.abc import Callable
from typing import Any

from assistant.core.events import EndReason, SetResult, Summary
from assistant.core.talk import Talk
from assistant.core.tally import totals


class Endings(Talk):
    results: list[SetResult]
    started_at: float | None
    _close_set: Callable[[], None]  # the Session's

    def on_enter_finished(self) -> None:
        self.timer.stop()
        self._close_set()
        total = totals(self.results)
        if self.reason is EndReason.PAIN:
            self._say("pain")
            self._say("pain-after")  # what was done is kept; the next session asks first
        elif self.reason is EndReason.COMPLETED:
            self._summary(total.perfect, total.attempts)
            self._say("goodbye")
        elif total.attempts == 0:
            self._say("stopped-empty")
        else:
            self._say("stopped")
            self._summary(total.perfect, total.attempts)
            self._say("goodbye-early")
        now = self.clock.now()
        fields: dict[str, Any] = dict(
            sets=tuple(self.results), perfect_total=total.perfect, failed_total=total.failed,
            duration_s=round(now - (self.started_at if self.started_at is not None else now), 3),
            variation=self.variation, stopped_early=self.reason is not EndReason.COMPLETED, reason=self.reason)
        self._fact(Summary, **fields)

    def _summary(self, perfect: int, attempts: int) -> None:
        if not self.results:
            return
        self._say("summary", perfect=perfect, attempts=attempts)
        if self.talk == "full":  # set by set is on record: `matcoach history`
            for r in self.results:
                self._say("summary-set", set=r.number, perfect=r.perfect, target=r.target)
