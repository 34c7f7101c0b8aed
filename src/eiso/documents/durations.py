"""Processing times: adding step times and comparing them with statutory limits.

Only units with a fixed ratio are converted: a working day is 8 working hours.
Calendar days and months are never turned into working days, because the
answer depends on the calendar; such comparisons are reported, not guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from eiso.documents.model import UNIT_LABELS, Duration, TimeUnit

HOURS_PER_WORKING_DAY = 8
# unit -> (comparable family, size in the family's base unit)
_FAMILY = {
    TimeUnit.working_days: ("work", HOURS_PER_WORKING_DAY),
    TimeUnit.hours: ("work", 1),
    TimeUnit.days: ("calendar", 1),
    TimeUnit.months: ("months", 1),
}
_BASE_UNIT = {"work": TimeUnit.working_days, "calendar": TimeUnit.days, "months": TimeUnit.months}


@dataclass(frozen=True)
class Total:
    """A sum of durations in one family, expressed in its natural unit."""

    value: float
    unit: TimeUnit

    def __str__(self) -> str:
        return format_duration(Duration(value=self.value, unit=self.unit))


class Incomparable(Exception):
    """Durations whose units cannot be converted into each other."""


def family(unit: TimeUnit) -> str:
    return _FAMILY[unit][0]


def total(durations: Iterable[Duration]) -> Total | None:
    """Sum of durations; raises Incomparable when units of different families are mixed."""
    items = list(durations)
    if not items:
        return None
    families = {family(d.unit) for d in items}
    if len(families) > 1:
        raise Incomparable(", ".join(sorted(UNIT_LABELS[d.unit] for d in items)))
    (fam,) = families
    base = sum(d.value * _FAMILY[d.unit][1] for d in items)
    if fam == "work":
        units = {d.unit for d in items}
        if units == {TimeUnit.hours}:
            return Total(round(base, 4), TimeUnit.hours)
        return Total(round(base / HOURS_PER_WORKING_DAY, 4), TimeUnit.working_days)
    return Total(round(base, 4), _BASE_UNIT[fam])


def compare(left: Total, right: Duration) -> int:
    """-1, 0 or 1 as ``left`` is shorter, equal or longer; Incomparable across families."""
    if family(left.unit) != family(right.unit):
        raise Incomparable(f"{UNIT_LABELS[left.unit]}, {UNIT_LABELS[right.unit]}")
    a = left.value * _FAMILY[left.unit][1]
    b = right.value * _FAMILY[right.unit][1]
    return (a > b) - (a < b)


def shortest(durations: Iterable[Duration]) -> Duration | None:
    """The shortest statutory time among channels; Incomparable if their units differ in kind."""
    items = list(durations)
    if not items:
        return None
    if len({family(d.unit) for d in items}) > 1:
        raise Incomparable(", ".join(sorted({UNIT_LABELS[d.unit] for d in items})))
    return min(items, key=lambda d: d.value * _FAMILY[d.unit][1])


def format_number(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def format_duration(duration: Duration | None) -> str:
    if duration is None:
        return ""
    return f"{format_number(duration.value)} {UNIT_LABELS[duration.unit]}"


@dataclass(frozen=True)
class StepBudget:
    """A step table's total time against the shortest statutory channel time."""

    total: Total | None
    limit: Duration | None
    over: bool | None = None  # None when there is nothing to compare
    incomparable: str = ""  # the units that could not be compared, when they could not


def step_budget(steps: Iterable, channels: Iterable) -> StepBudget:
    """Compare the steps' times (``.time``) with the channels' (``.time``); never guesses across units."""
    timed = [step.time for step in steps if step.time is not None]
    limits = [channel.time for channel in channels if channel.time is not None]
    if not timed:
        return StepBudget(None, None)  # nothing to add up: the channels' units do not matter here
    try:
        spent, limit = total(timed), shortest(limits)
        over = compare(spent, limit) > 0 if spent is not None and limit is not None else None
    except Incomparable as units:
        return StepBudget(None, None, None, str(units))
    return StepBudget(spent, limit, over)


def shortest_label(channels: Iterable) -> str:
    """The shortest channel time as people read it; all of them when their units differ in kind."""
    times = [channel.time for channel in channels if channel.time is not None]
    try:
        return format_duration(shortest(times))
    except Incomparable:
        return " / ".join(format_duration(t) for t in times)
