"""Plotting the history (matplotlib is optional: the plot extra, or installed beside matcoach)."""

from collections import defaultdict
from pathlib import Path

from assistant.core.errors import MatcoachError
from assistant.core.progression import PROGRESS_AT
from assistant.data.paths import beside
from assistant.history.store import Record


def plot_history(records: list[Record], out: Path) -> None:
    """Perfect reps per set (session mean) over time, one line per variation, with the progression threshold."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # headless: no display needed
        import matplotlib.pyplot as plt
    except ImportError:
        raise MatcoachError(f"plotting needs matplotlib; install it where matcoach runs: {beside('matplotlib')}") \
            from None
    if out.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise MatcoachError(f"--plot {out}: write a .png, .svg or .pdf file")
    if not records:
        raise MatcoachError("no sessions on record to plot yet; record a session first")
    lines: dict[str, list[tuple]] = defaultdict(list)
    for r in records:
        sets = [s for s in r.past.sets if s.target]
        if sets:
            lines[r.past.variation].append((r.past.started, sum(s.perfect for s in sets) / len(sets)))
    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=100)
    for variation, points in sorted(lines.items()):
        when, perfect = zip(*points)
        ax.plot(when, perfect, marker="o", label=variation)
    ax.axhline(PROGRESS_AT, color="grey", linestyle="--", label=f"progress at {PROGRESS_AT} perfect per set")
    ax.set_ylabel("perfect reps per set (session mean)")
    ax.set_ylim(bottom=0)
    ax.set_title("matcoach: perfect reps over time")
    ax.legend(loc="lower right")
    fig.autofmt_xdate()
    fig.tight_layout()
    try:
        fig.savefig(out)
    except OSError as e:
        raise MatcoachError(f"--plot {out}: cannot write it ({e.strerror}); choose a writable path") from None
    finally:
        plt.close(fig)
