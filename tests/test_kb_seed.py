"""Every example on Amazon's roles page answers with that page's role.

The examples are read here from the roles page's facts in tools/kb_inputs/roles-page.json (one
record per "The <operationId> operation of the <API> <version>, when you request the <TYPE>
report" sentence), and the types from each sentence's wording, independently of the generator.
"""

from __future__ import annotations

import json
import os
import re

from spapi_roles import knowledge

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROLES_PAGE = os.path.join(REPO_ROOT, "tools", "kb_inputs", "roles-page.json")
# Report titles the page uses instead of the type name (Amazon's report type values pages:
# "FBA Fee Preview Report" = GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA, "Flat File V2 Settlement Report"
# = GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2).
TITLES = {
    "FBA Fee Preview": "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA",
    "Flat File V2 Settlement": "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2",
}


def _examples():
    with open(ROLES_PAGE, encoding="utf-8") as handle:
        page = json.load(handle)
    operations, types = [], []
    for role in page["roles"]:
        for example in role["examples"]:
            version = example["version"].lstrip("v")
            operations.append((role["name"], example["operation"], example["api"], version))
            for name, kind in re.findall(
                r"(?:request the|submit a|subscribe to|subscriptions to the)\s*"
                r"([A-Z][A-Z0-9_ ]*[A-Z0-9])\s*(report|feed|notification)",
                example["clause"],
            ):
                types.append((role["name"], kind, name.replace(" ", "")))
            types += [(role["name"], "report", name)
                      for title, name in TITLES.items() if title in example["clause"]]
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
