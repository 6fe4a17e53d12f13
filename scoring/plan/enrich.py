"""The last pass over a read plan, whatever its format: time limits as ISO 8601 durations and
recurrences beside the dates, unit names with their elided prefix restored (a note for each), and,
when a roster is given, each name's code and the list of names it could not map."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .deadlines import find_durations, find_recurrences
from .model import Plan
from .units import expand_elided, split_including

if TYPE_CHECKING:
    from .roster import Roster


def finish(plan: Plan, roster: Roster | None = None) -> Plan:
    """Fill each item's durations, recurrences, full names, codes and notes (in place); returns the plan."""
    unmapped: dict[str, None] = {}
    mapped: set[str] = set()
    for it in plan.items:
        time_text = it.text + (f"（{it.units_text}）" if it.units_text else "") + "；".join(it.deadlines)
        durations, notes = find_durations(time_text)
        for d in durations:
            if d not in it.durations:
                it.durations.append(d)
        for r in find_recurrences(time_text):
            if r not in it.recurrences:
                it.recurrences.append(r)
        lead, resp = split_including(it.lead_units), split_including(it.responsible_units)
        full, expanded = expand_elided([*lead, *resp])
        it.lead_full = full[: len(lead)]
        it.responsible_full = [u for u in full[len(lead) :] if u not in it.lead_full]
        for note in [*expanded, *notes]:
            if note not in it.notes:
                it.notes.append(note)
        if roster is None:
            continue
        codes: list[str] = []
        for name in full:
            found = roster.code(name)
            if found.code is not None:
                mapped.add(name)
                if found.code not in codes:
                    codes.append(found.code)
            else:
                unmapped.setdefault(name, None)
                it.notes.append(f"“{name}”{found.reason}")
        it.unit_codes = codes
    plan.unmapped = list(unmapped)
    plan.mapped = len(mapped)
    return plan
