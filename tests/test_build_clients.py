"""tools/build_clients.py: the committed clients.json is exactly what the generator makes."""

from __future__ import annotations

import json
import os

from support.tools import load_tool

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMITTED = os.path.join(REPO, "src", "spapi_roles", "data", "clients.json")


def test_regenerating_gives_the_committed_file_byte_for_byte():
    generator = load_tool("build_clients")
    first = generator.render(generator.build())
    assert first == generator.render(generator.build())  # deterministic
    with open(COMMITTED, encoding="utf-8") as handle:
        assert handle.read() == first, "clients.json is stale: run tools/build_clients.py"


def test_committed_tables_resolve_against_the_knowledge_base():
    """Every client row with a model operation maps to a knowledge-base key of that operationId."""
    from spapi_roles import knowledge
    from spapi_roles.engine import clients

    kb = knowledge.load()
    tables = clients.load()
    with open(COMMITTED, encoding="utf-8") as handle:
        doc = json.load(handle)
    unresolved = []
    for index, (operation_id, stem, method, path) in enumerate(doc["operations"]):
        if not stem:
            continue
        ref = tables.op(index)
        if (
            ref is None
            or not ref.keys
            or any(kb.operations[key].operation_id != operation_id for key in ref.keys)
        ):
            unresolved.append((operation_id, stem, method, path))
    assert unresolved == []
