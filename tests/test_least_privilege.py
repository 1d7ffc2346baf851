"""The least-privilege role chooser: exact, restricted roles avoided, deterministic."""

from __future__ import annotations

import itertools
import random
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from spapi_roles import knowledge
from spapi_roles.least_privilege import choose_roles, reasons_by_role

ORDERS = "Inventory and Order Tracking"
SHIPPING = "Direct-to-Consumer Shipping (Restricted)"
TAX = "Tax Remittance (Restricted)"


def test_nothing_required():
    assert choose_roles([], set()) == []
    assert choose_roles([()], set()) == []  # unknown roles: nothing to choose from


def test_one_requirement_takes_the_alphabetically_first_role():
    assert choose_roles([("Pricing", "Brand Analytics")], set()) == ["Brand Analytics"]


def test_restricted_role_is_avoided_when_another_grants_the_use():
    restricted = {SHIPPING, TAX}
    assert choose_roles([(SHIPPING, ORDERS)], restricted) == [ORDERS]


def test_two_ordinary_roles_beat_one_restricted_role():
    restricted = {SHIPPING}
    requirements = [(SHIPPING, ORDERS), (SHIPPING, "Pricing")]
    assert choose_roles(requirements, restricted) == [ORDERS, "Pricing"]


def test_restricted_role_is_chosen_when_nothing_else_grants_the_use():
    restricted = {SHIPPING, TAX}
    requirements = [(SHIPPING,), (SHIPPING, ORDERS), (TAX, "Pricing")]
    # SHIPPING is needed anyway and also grants the second use.
    assert choose_roles(requirements, restricted) == [SHIPPING, "Pricing"]


def test_smallest_cover_where_greedy_choice_is_not():
    # "X" grants the most uses, but the best answer does without it.
    requirements = [("A", "X"), ("A", "X"), ("B", "X"), ("B", "X"), ("A", "C"), ("B", "D")]
    assert choose_roles(requirements, set()) == ["A", "B"]


def test_ties_in_size_are_broken_by_name():
    # Covers of size 2: {A, C}, {B, C}, {B, D}; {A, C} sorts first.
    assert choose_roles([("A", "B"), ("B", "C"), ("C", "D")], set()) == ["A", "C"]


def test_declared_roles_meet_requirements_already():
    requirements = [("Pricing", "Brand Analytics"), (ORDERS,)]
    assert choose_roles(requirements, set(), declared={"Pricing"}) == [ORDERS]
    assert choose_roles(requirements, set(), declared={"Pricing", ORDERS}) == []


def test_answer_does_not_depend_on_the_order_of_requirements():
    rng = random.Random(7)
    roles = [f"R{i:02d}" for i in range(17)]
    requirements = [tuple(rng.sample(roles, rng.randint(1, 4))) for _ in range(40)]
    restricted = set(roles[:5])
    expected = choose_roles(requirements, restricted)
    for _ in range(5):
        shuffled = [tuple(rng.sample(options, len(options))) for options in requirements]
        rng.shuffle(shuffled)
        assert choose_roles(shuffled, restricted) == expected


def _brute_force(requirements, restricted):
    """The specification, checked over every subset of the roles."""
    names = sorted({role for options in requirements for role in options})
    best = None
    for size in range(len(names) + 1):
        for subset in itertools.combinations(names, size):
            if all(set(options) & set(subset) for options in requirements if options):
                key = (len(set(subset) & restricted), size, subset)
                best = key if best is None or key < best else best
    return list(best[2])


ROLE_POOL = ["A", "B", "C", "D", "E", "F", "G", "H"]


@settings(max_examples=200, deadline=None)
@given(
    requirements=st.lists(st.lists(st.sampled_from(ROLE_POOL), min_size=1, max_size=4,
                                   unique=True).map(tuple), max_size=12),
    restricted=st.sets(st.sampled_from(ROLE_POOL)),
)
def test_matches_brute_force(requirements, restricted):
    assert choose_roles(requirements, restricted) == _brute_force(requirements, restricted)


def test_every_use_in_the_knowledge_base_is_covered_quickly():
    kb = knowledge.load()
    restricted = {role.name for role in kb.roles.values() if role.restricted}
    requirements = [op.roles for op in kb.operations.values() if op.roles]
    requirements += [info.roles for info in kb.types.values() if info.roles]
    started = time.perf_counter()
    chosen = choose_roles(requirements, restricted)
    elapsed = time.perf_counter() - started
    assert all(set(options) & set(chosen) for options in requirements)
    # A restricted role is chosen only for uses that no ordinary role grants.
    only_restricted = [set(options) for options in requirements if set(options) <= restricted]
    assert set(chosen) & restricted <= set().union(*only_restricted)
    assert elapsed < 2.0


def test_reasons_by_role_lists_each_use_under_every_chosen_role_granting_it():
    uses = [((ORDERS, SHIPPING), "getOrders app.py:3"), (("Pricing",), "getPricing app.py:9"),
            ((ORDERS,), "getOrders app.py:3")]
    assert reasons_by_role([ORDERS, "Pricing"], uses) == {
        ORDERS: ["getOrders app.py:3"], "Pricing": ["getPricing app.py:9"]}
