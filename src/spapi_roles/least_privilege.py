"""The least-privilege role chooser: the fewest roles that grant every use found.

Each use needs any ONE of a tuple of roles. :func:`choose_roles` finds, by exhaustive
search (there are only 17 roles), the set of roles covering every requirement that is
best by, in this order:

1. fewest restricted roles: a restricted role grants personal data and needs Amazon's
   extra vetting, so no number of ordinary roles is worse than one restricted role
   (a requirement is met by a restricted role only when it has no other way);
2. fewest roles;
3. alphabetically first (comparing the sorted role names), so the answer is stable.
"""

from __future__ import annotations

from typing import AbstractSet, Dict, Iterable, List, Optional, Sequence, Tuple


def choose_roles(
    requirements: Iterable[Sequence[str]],
    restricted: AbstractSet[str],
    declared: AbstractSet[str] = frozenset(),
) -> List[str]:
    """Sorted roles to add so that every requirement is met.

    ``requirements`` are any-one-of role tuples; empty ones (no role data, or
    grantless) and those already met by a ``declared`` role are skipped.
    """
    wanted = {frozenset(options) for options in requirements if options}
    wanted = {options for options in wanted if not options & declared}
    if not wanted:
        return []
    names = sorted(set().union(*wanted))
    bit = {name: 1 << index for index, name in enumerate(names)}
    masks = sorted({sum(bit[name] for name in options) for options in wanted})
    restricted_mask = sum(bit[name] for name in names if name in restricted)

    best: Optional[Tuple[int, int, Tuple[str, ...]]] = None

    def score(chosen: int) -> Tuple[int, int, Tuple[str, ...]]:
        picked = tuple(name for name in names if chosen & bit[name])
        return bin(chosen & restricted_mask).count("1"), len(picked), picked

    def search(chosen: int, open_masks: List[int]) -> None:
        nonlocal best
        restricted_count = bin(chosen & restricted_mask).count("1")
        size = bin(chosen).count("1")
        if best is not None and (restricted_count, size) > best[:2]:
            return
        if not open_masks:
            candidate = score(chosen)
            if best is None or candidate < best:
                best = candidate
            return
        # Branch on the requirement with the fewest options: every cover holds one of them.
        narrowest = min(open_masks, key=lambda mask: (bin(mask).count("1"), mask))
        for name in names:
            if narrowest & bit[name]:
                added = chosen | bit[name]
                search(added, [mask for mask in open_masks if not mask & added])

    search(0, masks)
    assert best is not None  # every requirement has at least one option
    return list(best[2])


def reasons_by_role(
    chosen: Iterable[str], uses: Iterable[Tuple[Sequence[str], str]]
) -> Dict[str, List[str]]:
    """For each chosen role, the descriptions of the uses it grants (in the given order).

    ``uses`` pairs a use's any-one-of roles with a description of the use; a use that
    several chosen roles grant is listed under each of them.
    """
    reasons: Dict[str, List[str]] = {role: [] for role in chosen}
    for options, description in uses:
        for role in options:
            if role in reasons and description not in reasons[role]:
                reasons[role].append(description)
    return reasons
