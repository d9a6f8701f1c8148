"""``matcoach plan``: the next session on the progression ladder, and why, from the history."""

import argparse
import json
from typing import Any

from assistant.cli.options import add_session_options, iso_date, todays_session
from assistant.core.fading import opening
from assistant.core.pack import Pack
from assistant.core.plan import Guide, Ready, Reps, Rest, plan
from assistant.core.routine import Count, Routine
from assistant.data import catalog


def add_plan_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "plan", help="the next session, and why (the progression ladder)",
        description="Show the next session as `start` would run it today: the variation, the weight, sets and "
                    "reps from the progression ladder and your history, what the coach will say first, and why. "
                    "Options given here win over the ladder, as they do for start.")
    add_session_options(p)
    p.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD", help="plan for that day (default: today)")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.set_defaults(run=run_plan)


def steps(routine: Routine) -> list[dict[str, Any]]:
    """The session's steps in order, as the coach walks them."""
    out: list[dict[str, Any]] = []
    for block in plan(routine):
        if isinstance(block, Guide):
            step = block.step
            out.append({"step": step.exercise, "count": step.count} if isinstance(step, Count)
                       else {"step": step.exercise, "seconds": step.seconds})
        elif isinstance(block, Reps):
            out.append({"step": "first-rep"} if block.gentle else {"step": "set", "set": block.set_number,
                                                                    "reps": block.reps})
        elif isinstance(block, Rest):
            out.append({"step": "rest", "seconds": block.seconds})
        elif not isinstance(block, Ready):
            raise AssertionError(block)
    return out


def run_plan(args: argparse.Namespace) -> int:
    today, _, talk = todays_session(args)
    routine, advice = today.routine, today.advice
    pack = catalog.load_pack(args.voice)
    sets = routine.working_sets()
    reps = sets[0].reps if sets else 0
    welcome = "welcome-weighted" if advice.weighted else "welcome"
    said = [(welcome, {"routine": routine.name, "variation": routine.variation, "sets": sum(s.sets for s in sets),
                       "reps": reps})] + [(cue, dict(params)) for cue, params in opening(talk, advice.cues)]
    result = {
        "routine": routine.name, "variation": routine.variation, "weight": advice.weighted,
        "sets": sum(s.sets for s in sets), "reps": reps, "rest_s": sets[0].rest_s if sets else None,
        "descent_s": routine.tempo.lower, "talk": talk,
        "proposal": None if advice.proposal is None else {"variation": advice.proposal[0],
                                                           "weight": advice.proposal[1], "say": "harder"},
        "steps": steps(routine), "why": list(advice.reasons),
        "opening": [_text(pack, cue, params) for cue, params in said],
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    weight = " with a light weight" if advice.weighted else ""
    print(f"Next session ({routine.name}): {result['sets']} x {reps} {pack.say_name(routine.variation)}{weight}, "
          f"lowering over {routine.tempo.lower} s; talk: {talk}")
    print("Steps: " + ", ".join(_step_text(s) for s in result["steps"]))
    if advice.proposal is not None:
        variation, weighted = advice.proposal
        step = "a light weight" if variation == routine.variation else pack.say_name(variation)
        print(f"Offered: {step} (say \"harder\" during the session to take it)")
    print("Why:")
    for reason in result["why"]:
        print(f"  - {reason}")
    print("The coach opens with:")
    for line in result["opening"]:
        print(f"  \"{line}\"")
    return 0


def _text(pack: Pack, cue: str, params: dict[str, Any]) -> str:
    return pack.lines(cue, params)[0].text


def _step_text(step: dict[str, Any]) -> str:
    name = step["step"].replace("-", " ")
    if "count" in step:
        return f"{name} x {step['count']}"
    if step["step"] == "set":
        return f"set {step['set']} ({step['reps']} reps)"
    if "seconds" in step:
        return f"{name} {step['seconds']:g} s"
    return name
