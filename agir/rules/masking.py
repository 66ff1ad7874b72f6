"""Masking of small counts in published comparisons (SPEC §5: counts under 5 masked), so that no
subtraction between what is shown gives a hidden count back (issue 19, docs/rules.md « Comparison »).

A column of a comparison is a two-level table: departments grouped by region (group), each group's
total (the regional total row) and the grand total (the national total row). The published
cells obey two kinds of equations: `group total = Σ its departments` and `grand total = Σ group totals`.
A hidden cell can be recovered exactly when it is the only hidden one of an equation; so:

1. primary: every count from 1 to 4 (a department, a group total or the grand total) is hidden;
2. complementary, per group: when the group's equation has exactly one hidden cell, a second one is
   hidden — the group's smallest other department (a non-zero one first), or the group total when
   the group has no other department;
3. complementary, national: when exactly one group total is hidden, the grand total is hidden too.

Steps 1 and 2 only read the group itself: a regional page masks exactly the cells the national page
masks. Periods: the comparison is only published for whole calendar years (disjoint periods, none
containing another), so no difference between two periods is a count of anything.

Shares, means and medians derived from a hidden count are hidden too (`mask_derived`).
"""
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

THRESHOLD = 5


def is_small(value: int | None) -> bool:
    """A count that must not be published: 1 to 4 (0 is published)."""
    return value is not None and 0 < value < THRESHOLD


@dataclass(frozen=True)
class MaskedColumn:
    """What is hidden in one column: department keys, group keys (their totals), the grand total."""

    cells: frozenset
    groups: frozenset
    total: bool


def mask_column(values: Mapping[Hashable, int], groups: Mapping[Hashable, Hashable]) -> MaskedColumn:
    """The cells of one count column to hide (`values`: department → count; `groups`: department → group).

    Pure: the same values give the same cells, whoever asks and for whatever slice of the country.
    """
    members: dict[Hashable, list[Hashable]] = defaultdict(list)
    for key in sorted(values, key=str):
        members[groups.get(key)].append(key)
    totals = {group: sum(values[key] for key in keys) for group, keys in members.items()}
    hidden = {key for key, value in values.items() if is_small(value)}
    hidden_groups = {group for group, value in totals.items() if is_small(value)}
    for group, keys in members.items():
        in_equation = [key for key in keys if key in hidden] + ([group] if group in hidden_groups else [])
        if len(in_equation) != 1:
            continue
        others = sorted((key for key in keys if key not in hidden),
                        key=lambda key: (values[key] == 0, values[key], str(key)))
        if others:
            hidden.add(others[0])
        else:
            hidden_groups.add(group)
    grand = sum(totals.values())
    total_hidden = is_small(grand) or len(hidden_groups) == 1
    return MaskedColumn(frozenset(hidden), frozenset(hidden_groups), total_hidden)


def mask_derived(hidden_columns: set[str], derived: Mapping[str, Iterable[str]]) -> set[str]:
    """The derived figures of a row to hide: those computed from a hidden count (`derived`: figure →
    the counts it is computed from, e.g. a share → its numerator and denominator)."""
    return {name for name, sources in derived.items() if any(source in hidden_columns for source in sources)}
