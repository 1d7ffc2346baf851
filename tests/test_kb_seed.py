"""Every example on Amazon's roles page answers with that page's role.

The examples are parsed here from the page text in the shared data (sources/seed), independently
of the generator: "The <operationId> operation of the <API> <version>, when you request the <TYPE>
report" and the like.
"""

from __future__ import annotations

import os
import re

import pytest

from spapi_roles import knowledge

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = os.path.join(
    REPO_ROOT, "..", "shared", "spapi", "sources", "seed", "selling-partner-api-roles.txt"
)
# Report titles the page uses instead of the type name (Amazon's report type values pages:
# "FBA Fee Preview Report" = GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA, "Flat File V2 Settlement Report"
# = GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2).
TITLES = {
    "FBA Fee Preview": "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA",
    "Flat File V2 Settlement": "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2",
}


def _examples():
    if not os.path.isfile(SEED):
        pytest.skip(
            f"roles page text not found at {os.path.normpath(SEED)} (shared SP-API data absent)"
        )
    with open(SEED, encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    role = None
    operations, types = [], []
    for i, line in enumerate(lines[:-1]):
        if line and lines[i + 1].startswith(f"The {line} ") and " role " in lines[i + 1]:
            role = line
            continue
        match = re.match(r"(\w+?)operation of the (.+? API) v([\w-]+?)[,.]? (.*)$", line)
        if match and role:
            op_id, api, version, rest = match.groups()
            operations.append((role, op_id, api, version))
            for name, kind in re.findall(
                r"(?:request the|submit a|subscribe to|subscriptions to the)\s*"
                r"([A-Z][A-Z0-9_ ]*[A-Z0-9])\s*(report|feed|notification)",
                rest,
            ):
                types.append((role, kind, name.replace(" ", "")))
            types += [(role, "report", name) for title, name in TITLES.items() if title in rest]
    return operations, types


def test_the_page_has_examples_for_all_roles():
    operations, types = _examples()
    assert len({role for role, *_ in operations}) == 17
    assert len(operations) >= 35 and len(types) >= 14


def test_every_operation_example_has_the_pages_role():
    kb = knowledge.load()
    operations, _ = _examples()
    missing = []
    for role, op_id, api, version in operations:
        candidates = [op for op in kb.operations_named(op_id) if op.api == api]
        exact = [op for op in candidates if op.version.lstrip("v") == version.lstrip("v")]
        # The page names Product Pricing v2022-05-01 for getPricing, which exists only in v0.
        chosen = exact or candidates
        if not chosen or not any(role in op.roles for op in chosen):
            missing.append(f"{role}: {op_id} of the {api} v{version}")
    assert missing == []


def test_every_type_example_has_the_pages_role():
    kb = knowledge.load()
    _, types = _examples()
    missing = []
    for role, kind, name in types:
        info = kb.type_named(name, kind)
        if info is None or role not in info.roles:
            missing.append(f"{role}: {kind} {name}")
    assert missing == []
