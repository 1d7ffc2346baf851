"""The least-privilege plan: exact, restricted roles avoided, Amazon's descriptions as tie-break,
one role per requirement, deterministic."""

from __future__ import annotations

import itertools
import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spapi_roles import knowledge
from spapi_roles.least_privilege import Requirement, plan, plan_for_kb, relevance, words

KB = knowledge.load()
ORDERS = "Inventory and Order Tracking"
SHIPPING = "Direct-to-Consumer Shipping (Restricted)"
TAX = "Tax Remittance (Restricted)"


def roles_for(requirements, restricted=frozenset(), declared=frozenset()):
    return list(plan([Requirement(tuple(options)) for options in requirements],
                     restricted, declared).roles)


def kb_requirement(key: str = "", type_name: str = "") -> Requirement:
    """What one use of an operation (by key) or a type needs, as the checks build it."""
    if key:
        op = KB.operations[key]
        return Requirement(op.roles, op.api, op.operation_id)
    info = KB.type_named(type_name)
    return Requirement(info.roles, info.name, info.name)


def test_nothing_required():
    assert roles_for([]) == []
    assert roles_for([()]) == []  # unknown roles: nothing to choose from


def test_without_descriptions_a_tie_goes_to_the_first_name():
    assert roles_for([("Pricing", "Brand Analytics")]) == ["Brand Analytics"]


def test_restricted_role_is_avoided_when_another_grants_the_use():
    assert roles_for([(SHIPPING, ORDERS)], {SHIPPING, TAX}) == [ORDERS]


def test_two_ordinary_roles_beat_one_restricted_role():
    assert roles_for([(SHIPPING, ORDERS), (SHIPPING, "Pricing")], {SHIPPING}) == [ORDERS, "Pricing"]


def test_restricted_role_is_chosen_when_nothing_else_grants_the_use():
    requirements = [(SHIPPING,), (SHIPPING, ORDERS), (TAX, "Pricing")]
    # SHIPPING is needed anyway and also grants the second use.
    assert roles_for(requirements, {SHIPPING, TAX}) == [SHIPPING, "Pricing"]


def test_smallest_cover_where_greedy_choice_is_not():
    # "X" grants the most uses, but the best answer does without it.
    requirements = [("A", "X"), ("A", "X"), ("B", "X"), ("B", "X"), ("A", "C"), ("B", "D")]
    assert roles_for(requirements) == ["A", "B"]


def test_among_equally_small_sets_the_one_whose_role_covers_most_uses_wins():
    # {A, C} and {B, C} both cover; A grants three uses, B two.
    requirements = [("A", "B"), ("A", "B"), ("A",), ("C",), ("B", "C")]
    assert roles_for(requirements) == ["A", "C"]


def test_declared_roles_meet_requirements_already():
    requirements = [("Pricing", "Brand Analytics"), (ORDERS,)]
    assert roles_for(requirements, declared={"Pricing"}) == [ORDERS]
    assert roles_for(requirements, declared={"Pricing", ORDERS}) == []


@pytest.mark.parametrize(
    "requirement, expected",
    [
        # Issue 15: orders and order reports suggested Amazon Fulfillment, an FBA role, by name.
        (kb_requirement("ordersV0#getOrders"), ORDERS),
        (kb_requirement(type_name="GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"), ORDERS),
        # "You generally use this role for FBA sales reports ..."
        (kb_requirement(type_name="GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"),
         "Amazon Fulfillment"),
        # "... product listings ...", not Inventory and Order Tracking
        (kb_requirement(type_name="JSON_LISTINGS_FEED"), "Product Listing"),
        # "You generally use this role when you use the Messaging API"
        (kb_requirement("messaging#createUnexpectedProblem"), "Buyer Communication"),
        (kb_requirement("productPricingV0#getCompetitivePricing"), "Pricing"),
    ],
)
def test_one_use_takes_the_role_amazons_descriptions_tie_to_it(requirement, expected):
    chosen = plan_for_kb([requirement], KB)
    assert chosen.roles == (expected,)
    assert chosen.role_for(requirement) == expected


def test_relevance_reads_the_roles_page():
    iot = KB.roles[ORDERS]
    fulfilment = KB.roles["Amazon Fulfillment"]
    messaging = KB.roles["Buyer Communication"]
    assert relevance(iot.name, iot.description, "Orders API") > relevance(
        fulfilment.name, fulfilment.description, "Orders API")
    assert relevance(messaging.name, messaging.description, "Messaging API") == 100
    # "Vendor Orders API" in a description is not a statement about the Orders API
    assert relevance("X", "when you use the Vendor Orders API", "Orders API") < 100
    assert words("GET_FLAT_FILE_ALL_ORDERS_DATA") == {"flat", "file", "order"}
    assert words("getMarketplaceParticipations") == {"marketplace", "participation"}


def test_each_requirement_takes_one_chosen_role_the_one_covering_most():
    requirements = [Requirement(("A", "B"), use="x"), Requirement(("B",), use="y"),
                    Requirement(("A", "C"), use="z"), Requirement(("C",), use="w")]
    chosen = plan(requirements, frozenset())
    assert chosen.roles == ("B", "C")
    assert [chosen.role_for(r) for r in requirements] == ["B", "B", "C", "C"]
    assert chosen.uses_by_role(requirements) == {"B": ["x", "y"], "C": ["z", "w"]}


def test_a_restricted_role_says_which_uses_need_it():
    requirements = [Requirement((SHIPPING,), use="getOrderAddress (a.py:3)"),
                    Requirement((SHIPPING, ORDERS), use="getOrders (a.py:4)"),
                    Requirement((TAX, "Pricing"), use="getPricing (a.py:5)")]
    chosen = plan(requirements, frozenset({SHIPPING, TAX}))
    assert chosen.roles == (SHIPPING, "Pricing")
    assert chosen.why_restricted(SHIPPING, requirements) == ["getOrderAddress (a.py:3)"]


def test_answer_does_not_depend_on_the_order_of_requirements():
    rng = random.Random(7)
    roles = [f"R{i:02d}" for i in range(17)]
    requirements = [tuple(rng.sample(roles, rng.randint(1, 4))) for _ in range(40)]
    restricted = set(roles[:5])
    expected = roles_for(requirements, restricted)
    for _ in range(5):
        shuffled = [tuple(rng.sample(options, len(options))) for options in requirements]
        rng.shuffle(shuffled)
        assert roles_for(shuffled, restricted) == expected


def _cheapest_covers(requirements, restricted):
    """The specification of what is minimised, checked over every subset of the roles."""
    names = sorted({role for options in requirements for role in options})
    covers = [set(subset) for size in range(len(names) + 1)
              for subset in itertools.combinations(names, size)
              if all(set(options) & set(subset) for options in requirements if options)]
    cost = min((len(cover & restricted), len(cover)) for cover in covers)
    return [cover for cover in covers if (len(cover & restricted), len(cover)) == cost]


ROLE_POOL = ["A", "B", "C", "D", "E", "F", "G", "H"]


@settings(max_examples=200, deadline=None)
@given(
    requirements=st.lists(st.lists(st.sampled_from(ROLE_POOL), min_size=1, max_size=4,
                                   unique=True).map(tuple), max_size=12),
    restricted=st.sets(st.sampled_from(ROLE_POOL)),
)
def test_the_plan_is_one_of_the_cheapest_covers(requirements, restricted):
    chosen = set(roles_for(requirements, restricted))
    assert chosen in _cheapest_covers(requirements, restricted)


def test_every_use_in_the_knowledge_base_is_covered_quickly():
    requirements = [Requirement(op.roles, op.api) for op in KB.operations.values() if op.roles]
    requirements += [Requirement(info.roles, info.name) for info in KB.types.values() if info.roles]
    started = time.perf_counter()
    chosen = plan_for_kb(requirements, KB)
    elapsed = time.perf_counter() - started
    assert all(set(r.options) & set(chosen.roles) for r in requirements)
    # A restricted role is chosen only for uses that no ordinary role grants.
    restricted = {role.name for role in KB.roles.values() if role.restricted}
    only_restricted = [set(r.options) for r in requirements if set(r.options) <= restricted]
    assert set(chosen.roles) & restricted <= set().union(*only_restricted)
    assert elapsed < 2.0
