"""One least-privilege choice of roles, behind every suggestion, `check --fix` and `init`.

Each finding needs any ONE of its roles (``Requirement.options``). :func:`plan` chooses the set
of roles to add for all the findings of one manifest, by exhaustive search over the 17 roles,
best by, in this order:

1. roles already declared first: a requirement a declared role meets needs nothing;
2. fewest restricted roles: a restricted role grants personal data and Amazon reviews each app's
   need for it, so a restricted role is chosen only for a use no unrestricted role grants;
3. fewest roles;
4. the roles covering most of the findings (one role granting many uses beats several granting
   a few each);
5. the roles Amazon's descriptions tie to the APIs and types used (:func:`relevance`: the roles
   page says "You generally use this role when you use the Messaging API", names the role
   "Inventory and Order Tracking", ...);
6. alphabetical order, so that the answer is stable.

Each finding then suggests :meth:`Plan.role_for` it: the chosen role that grants it, the one
covering most findings where several do. A finding's suggestion, the roles `check --fix` adds and
the roles `init` writes are therefore one answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    AbstractSet,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Optional,
    Sequence,
    Tuple,
)

if TYPE_CHECKING:
    from .knowledge import KnowledgeBase

# Words that say nothing about which role a use needs.
_STOP_WORDS = frozenset(
    "all and api are by data for from get into its list not of set the this to type use with "
    "you your".split()
)
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
# An API's name in running text: capitalised words ("and" allowed between them) before "API".
_API_NAME = re.compile(r"(?:[A-Z+][\w+-]*\s+(?:and\s+)?)+API\b")


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def words(text: str) -> FrozenSet[str]:
    """The telling words of ``text`` (camelCase and SNAKE_CASE split, lower case, plural -s off)."""
    found = (_stem(word.lower()) for word in _WORD.findall(text))
    return frozenset(word for word in found if len(word) > 2 and word not in _STOP_WORDS)


def relevance(role_name: str, description: str, topic: str) -> int:
    """How closely Amazon ties a role to ``topic`` (an API name such as "Orders API", or a type
    name): the description names the API (100), else 2 per word of the topic in the role's name
    and 1 per word in its description."""
    if not topic:
        return 0
    if topic.endswith(" API") and topic in _API_NAME.findall(description):
        return 100
    topic_words = words(topic)
    return 2 * len(topic_words & words(role_name)) + len(topic_words & words(description))


@dataclass(frozen=True)
class Requirement:
    """What one finding needs: any one of ``options``; ``topic``: the API or type it is about;
    ``use``: how to name the use in a manifest comment ("getOrders (app.py:3)")."""

    options: Tuple[str, ...]
    topic: str = ""
    use: str = ""


@dataclass
class Plan:
    """The roles to add for a set of requirements, and which of them each requirement takes."""

    roles: Tuple[str, ...]  # sorted
    coverage: Dict[str, int] = field(default_factory=dict)  # role -> requirements it grants
    restricted: FrozenSet[str] = frozenset()
    _relevance: Dict[Tuple[str, str], int] = field(default_factory=dict)
    _descriptions: Dict[str, str] = field(default_factory=dict)

    def score(self, role: str, topic: str) -> int:
        key = (role, topic)
        if key not in self._relevance:
            self._relevance[key] = relevance(role, self._descriptions.get(role, ""), topic)
        return self._relevance[key]

    def role_for(self, requirement: Requirement) -> Optional[str]:
        """The chosen role the requirement takes (None: a declared role meets it, or it has no
        options): the one covering most requirements, unrestricted before restricted, the one
        Amazon ties to its topic, then the first by name."""
        granting = [role for role in self.roles if role in requirement.options]
        if not granting:
            return None
        return min(granting, key=lambda role: (-self.coverage.get(role, 0),
                                               role in self.restricted,
                                               -self.score(role, requirement.topic), role))

    def uses_by_role(self, requirements: Iterable[Requirement]) -> Dict[str, List[str]]:
        """For each chosen role, the uses that take it (``Requirement.use``, in order, once)."""
        uses: Dict[str, List[str]] = {role: [] for role in self.roles}
        for requirement in requirements:
            role = self.role_for(requirement)
            if role is not None and requirement.use and requirement.use not in uses[role]:
                uses[role].append(requirement.use)
        return uses

    def why_restricted(self, role: str, requirements: Iterable[Requirement]) -> List[str]:
        """The uses that need the restricted ``role``: those no unrestricted role grants."""
        return list(dict.fromkeys(
            requirement.use for requirement in requirements
            if self.role_for(requirement) == role
            and all(option in self.restricted for option in requirement.options)))


def plan(
    requirements: Sequence[Requirement],
    restricted: AbstractSet[str],
    declared: AbstractSet[str] = frozenset(),
    descriptions: Optional[Dict[str, str]] = None,
) -> Plan:
    """The least-privilege roles for ``requirements`` (module docstring); ``descriptions``: each
    role's description on Amazon's roles page."""
    descriptions = descriptions or {}
    open_requirements = [r for r in requirements if r.options and not set(r.options) & declared]
    chosen_plan = Plan((), {}, frozenset(restricted), {}, descriptions)
    if not open_requirements:
        return chosen_plan
    groups: Dict[FrozenSet[str], List[Requirement]] = {}
    for requirement in open_requirements:
        groups.setdefault(frozenset(requirement.options), []).append(requirement)
    names = sorted(set().union(*groups))
    bit = {name: 1 << index for index, name in enumerate(names)}
    masks = {options: sum(bit[name] for name in options) for options in groups}
    restricted_mask = sum(bit[name] for name in names if name in restricted)

    def cost(chosen: int) -> Tuple[int, int]:
        return bin(chosen & restricted_mask).count("1"), bin(chosen).count("1")

    covers: List[int] = []
    best: List[Tuple[int, int]] = []
    seen = set()

    def search(chosen: int, open_masks: List[int]) -> None:
        if chosen in seen:
            return
        seen.add(chosen)
        if best and cost(chosen) > best[0]:
            return
        if not open_masks:
            if not best or cost(chosen) < best[0]:
                best[:] = [cost(chosen)]
                covers.clear()
            covers.append(chosen)
            return
        # Branch on the requirement with the fewest options: every cover holds one of them.
        narrowest = min(open_masks, key=lambda mask: (bin(mask).count("1"), mask))
        for name in names:
            if narrowest & bit[name]:
                added = chosen | bit[name]
                search(added, [mask for mask in open_masks if not mask & added])

    search(0, sorted(set(masks.values())))

    def candidate(chosen: int) -> Plan:
        roles = tuple(name for name in names if chosen & bit[name])
        coverage = {role: sum(len(found) for options, found in groups.items() if role in options)
                    for role in roles}
        return Plan(roles, coverage, frozenset(restricted), chosen_plan._relevance, descriptions)

    def rank(candidate_plan: Plan) -> Tuple[object, ...]:
        concentration = tuple(sorted(candidate_plan.coverage.values(), reverse=True))
        fit = sum(candidate_plan.score(candidate_plan.role_for(r) or "", r.topic)
                  for r in open_requirements)
        return tuple(-count for count in concentration), -fit, candidate_plan.roles

    return min((candidate(chosen) for chosen in covers), key=rank)


def plan_for_kb(requirements: Sequence[Requirement], kb: KnowledgeBase,
                declared: AbstractSet[str] = frozenset()) -> Plan:
    """:func:`plan` with the knowledge base's restricted roles and role descriptions."""
    restricted = frozenset(name for name, role in kb.roles.items() if role.restricted)
    descriptions = {name: role.description for name, role in kb.roles.items()}
    return plan(requirements, restricted, declared, descriptions)
