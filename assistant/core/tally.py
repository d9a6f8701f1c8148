"""Counting a set as it happens, and the session's totals."""

from dataclasses import dataclass

from assistant.core.events import SetResult


@dataclass
class SetTally:
    """The set under way: a set is ``target`` attempts, each perfect or arched."""

    number: int
    target: int
    variation: str
    perfect: int = 0
    failed: int = 0
    suggested_easier: bool = False

    @property
    def attempts(self) -> int:
        return self.perfect + self.failed

    def result(self) -> SetResult:
        return SetResult(number=self.number, target=self.target, perfect=self.perfect,
                         failed=self.failed, variation=self.variation)


@dataclass(frozen=True, kw_only=True)
class Totals:
    perfect: int
    failed: int

    @property
    def attempts(self) -> int:
        return self.perfect + self.failed


def totals(results: list[SetResult]) -> Totals:
    return Totals(perfect=sum(r.perfect for r in results), failed=sum(r.failed for r in results))
