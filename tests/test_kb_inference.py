"""Inferred roles: each rule where it fires and where it refuses, and what inference may not do.

An operation no source names the roles of gets roles of confidence "inferred" from a rule
(tools/build_kb.py): the rows the later research marks inferred, a roles-page description that
names the whole API, the predecessor version's operation, or the roles every sourced operation
of the API version names. A sourced fact always wins, and an inference says what it rests on.
"""

from __future__ import annotations

import json
import os

import pytest
from support.tools import load_tool

from spapi_roles import knowledge

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AF, PL = "Amazon Fulfillment", "Product Listing"
D2C, IOT = "Direct-to-Consumer Shipping (Restricted)", "Inventory and Order Tracking"
SOURCED = ("high", "medium", "low")


@pytest.fixture(scope="module")
def kb():
    return knowledge.load()


@pytest.fixture(scope="module")
def build_kb():
    return load_tool("build_kb")


def _inferences(kb, op):
    """{what an inference rests on: the roles it gives}, one entry per rule that fired."""
    return {e.note: e.roles for e in kb.evidence(op) if e.tier == knowledge.INFERRED_TIER}


def _family_roles(kb, op):
    """The roles the API family rule gives ``op``, or None if it did not fire."""
    found = [roles for note, roles in _inferences(kb, op).items()
             if " sourced operations of the " in note]
    return found[0] if found else None


def _op(build_kb, version, operation_id, path, roles=(), tier=9, method="GET"):
    """An operation record as the generator holds it once sourced facts are decided."""
    sources = [(f"https://example.invalid/{operation_id}", "", "guide")] if roles else []
    return build_kb.OpRecord(
        key=f"demo_{version}#{operation_id}", api="Demo API", version=version,
        operation_id=operation_id, method=method, path=path, deprecated=False, retired=False,
        in_models=True, roles=tuple(roles), tier=tier,
        confidence=build_kb.TIER_CONFIDENCE.get(tier, "unknown"), role_sources=sources,
    )


# ---------------------------------------------------------------------- API family


def test_family_rule_infers_the_roles_every_sourced_operation_of_the_api_version_names(kb):
    # Fulfillment Inbound 2024-03-20: tutorials name Amazon Fulfillment and Product Listing, the
    # Amazon Fulfillment role page and the roles page Amazon Fulfillment alone: all name AF.
    op = kb.operations["fulfillmentInbound_2024-03-20#listInboundPlans"]
    assert (op.roles, op.confidence) == ((AF,), "inferred")
    [note] = _inferences(kb, op)
    assert note.startswith("inferred from ") and note.endswith(
        " sourced operations of the Fulfillment Inbound API 2024-03-20, all Amazon Fulfillment")
    refs = {source.ref for source in op.sources}
    assert "https://developer-docs.amazon.com/sp-api/docs/create-shipment-with-carton-info" in refs
    # A+ media operations are newer than the models; their API version is known.
    media = kb.operations["aplusContent_2020-11-01#createMedia"]
    assert not media.in_models and (media.roles, media.confidence) == ((
        "Brand Analytics", PL), "inferred")


def test_family_rule_refuses_an_api_whose_sourced_operations_share_no_role(build_kb, kb):
    # Orders v0: confirmShipment needs Direct-to-Consumer Shipping, updateShipmentStatus
    # Inventory and Order Tracking (restricted and unrestricted operations side by side).
    basis = [(op.operation_id, op.roles) for op in kb.operations.values()
             if op.key.startswith("ordersV0#") and op.confidence in SOURCED]
    assert ("confirmShipment", (D2C,)) in basis and ("updateShipmentStatus", (IOT,)) in basis
    roles, refusal = build_kb.family_roles(basis)
    assert roles == () and "share no role" in refusal
    for op in kb.operations.values():
        if op.key.startswith("ordersV0#"):
            assert _family_roles(kb, op) is None, op.key


def test_family_rule_refuses_a_single_sourced_operation(kb):
    op = kb.operations["finances_2024-06-19#listBalances"]
    assert not op.known and op.confidence == "unknown"
    assert "only 1 operation of the Finances API 2024-06-19 has sourced roles" in (
        op.unknown_reason)
    assert "listTransactions: Finance and Accounting" in op.unknown_reason


def test_family_rule_refuses_an_api_with_no_sourced_operation(kb):
    op = kb.operations["tracking_2026-01-30#getShipmentTracking"]
    assert not op.known
    assert "no operation of the Tracking API 2026-01-30 has sourced roles" in op.unknown_reason


# ---------------------------------------------------------------------- predecessor version


def test_predecessor_rule_takes_the_sourced_roles_of_the_same_resource_in_the_earlier_version(
    build_kb,
):
    old = _op(build_kb, "v1", "getThing", "/demo/v1/things/{thingId}", roles=(AF,), tier=2)
    new = _op(build_kb, "2025-01-01", "getThing", "/demo/2025-01-01/things/{id}")
    assert build_kb.resource_key(old) == build_kb.resource_key(new)
    evidence, refusal = build_kb.predecessor_evidence(new, [old, new])
    assert refusal == "" and [e.roles for e in evidence] == [(AF,)]
    assert evidence[0].tier == build_kb.INFERRED
    assert "inferred from its predecessor getThing of the Demo API v1" in evidence[0].note


def test_predecessor_rule_refuses_a_predecessor_without_sourced_roles(build_kb):
    inferred_only = _op(build_kb, "v1", "getThing", "/demo/v1/things/{id}", roles=(AF,),
                        tier=build_kb.INFERRED)
    unknown = _op(build_kb, "v1", "getThing", "/demo/v1/things/{id}")
    new = _op(build_kb, "2025-01-01", "getThing", "/demo/2025-01-01/things/{id}")
    for pred in (inferred_only, unknown):
        evidence, refusal = build_kb.predecessor_evidence(new, [pred, new])
        assert evidence == [] and refusal == "its predecessor demo_v1#getThing has no sourced roles"


def test_predecessor_rule_needs_the_same_method_and_path(build_kb):
    old = _op(build_kb, "v1", "getThing", "/demo/v1/things/{id}", roles=(AF,), tier=2)
    for other in (_op(build_kb, "2025-01-01", "getThing", "/demo/2025-01-01/items/{id}"),
                  _op(build_kb, "2025-01-01", "putThing", "/demo/2025-01-01/things/{id}",
                      method="PUT")):
        assert build_kb.resource_key(other) != build_kb.resource_key(old)
    # The latest earlier version is the predecessor, and a later version never is one.
    newest = _op(build_kb, "2026-01-01", "getThing", "/demo/2026-01-01/things/{id}",
                 roles=(PL,), tier=2)
    middle = _op(build_kb, "2025-01-01", "getThing", "/demo/2025-01-01/things/{id}",
                 roles=(IOT,), tier=1)
    evidence, _ = build_kb.predecessor_evidence(newest, [old, middle, newest])
    assert {e.roles for e in evidence} == {(IOT,)}
    assert build_kb.predecessor_evidence(old, [old, middle, newest])[0] == []


# ---------------------------------------------------------------------- the roles page, research


def test_a_roles_page_description_naming_the_whole_api_is_an_inference(kb):
    # "You generally use this role when you use the Amazon Warehousing and Distribution API."
    op = kb.operations["awd_2024-05-09#getInbound"]
    assert (op.roles, op.confidence) == (("Amazon Warehousing and Distribution",), "inferred")
    assert any("description of Amazon Warehousing and Distribution names the Amazon Warehousing"
               in note for note in _inferences(kb, op))
    # Where a source names the operation's roles, the statement is evidence, not the answer.
    example = kb.operations["messaging#getMessagingActionsForOrder"]
    assert example.confidence in SOURCED and "Buyer Communication" in example.roles


def test_rows_the_research_marks_inferred_say_what_they_rest_on(kb):
    # Fulfillment Outbound 2026-07-04: a third-party migration map pairs it with v2020-07-01.
    op = kb.operations["fulfillmentOutbound_2026-07-04#getOrderPreview"]
    assert (op.roles, op.confidence) == ((AF,), "inferred")
    assert any(s.kind == "third-party" and "linkfox" in s.ref for s in op.sources)
    assert any("No Amazon text naming the role for v2026-07-04" in n for n in _inferences(kb, op))
    # Orders v0: the tutorial names "Direct-to-Consumer Delivery (Restricted)", which Amazon staff
    # call the Direct to Consumer Shipping role (selling-partner-api-models#5300).
    op = kb.operations["ordersV0#updateVerificationStatus"]
    assert (op.roles, op.confidence) == ((D2C,), "inferred")
    assert "https://github.com/amzn/selling-partner-api-models/issues/5300" in {
        s.ref for s in op.sources}


def test_type_names_missing_from_the_data_stay_unknown(kb):
    # Seen in public application code; neither Amazon's lists nor the clients' enums have them.
    for name in ("GET_DATE_RANGE_FINANCIAL_TRANSACTION_DATA",
                 "POST_FLAT_FILE_OFFER_POINTS_PREFERENCE_DATA"):
        assert kb.type_named(name) is None
    # A type the research calls "not role-gated" keeps unknown roles, with the note.
    info = kb.type_named("APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY", "notification")
    assert info.roles == () and info.confidence == "unknown"
    assert any("'Not role-gated' is inferred" in note for note in info.notes)


# ---------------------------------------------------------------------- what inference may not do


def test_an_inference_never_stands_where_a_source_names_the_roles(kb):
    for op in kb.operations.values():
        stated = [e for e in kb.evidence(op)
                  if e.tier < knowledge.INFERRED_TIER and (e.roles or e.grantless)]
        if stated:
            assert op.confidence in SOURCED, op.key
        if op.confidence == "inferred":
            assert not stated and op.roles and _inferences(kb, op), op.key


def test_no_family_inference_contradicts_a_sourced_operation_of_its_api_version(kb):
    families = {}
    for op in kb.operations.values():
        if op.confidence in SOURCED and op.roles and not op.type_carrier:
            families.setdefault(op.key.split("#")[0], []).append(op)
    checked = 0
    for op in kb.operations.values():
        inferred = _family_roles(kb, op)
        if inferred is not None:
            assert set(inferred) <= set(op.roles)
            for sourced in families[op.key.split("#")[0]]:
                assert set(inferred) <= set(sourced.roles), (op.key, sourced.key)
            checked += 1
    assert checked >= 40


def test_no_inferred_fact_contradicts_an_example_of_the_roles_page(kb):
    with open(os.path.join(REPO_ROOT, "tools", "kb_inputs", "roles-page.json"),
              encoding="utf-8") as handle:
        page = json.load(handle)
    checked = 0
    for role in page["roles"]:
        for example in role["examples"]:
            ops = [op for op in kb.operations_named(example["operation"])
                   if op.api == example["api"]]
            exact = [op for op in ops if op.version.lstrip("v") == example["version"].lstrip("v")]
            for op in exact or ops:
                assert op.confidence in SOURCED and role["name"] in op.roles, op.key
                # and every operation inferred from its API version's family shares a role with it
                for other in kb.operations.values():
                    inferred = _family_roles(kb, other)
                    if other.key.split("#")[0] == op.key.split("#")[0] and inferred:
                        assert set(inferred) <= set(op.roles), (other.key, op.key)
                        checked += 1
    assert checked > 0


def test_coverage_reaches_97_percent_and_says_why_the_rest_is_unknown(kb):
    current = [op for op in kb.operations.values() if op.in_models]
    known = [op for op in current if op.known]
    assert len(current) == 370 and len(known) / len(current) >= 0.97
    for op in current:
        if not op.known:
            assert op.unknown_reason, op.key
