"""Regenerating the knowledge base from tools/kb_inputs gives exactly the committed files."""

from __future__ import annotations

import os

import pytest
from support.tools import load_tool


@pytest.fixture(scope="module")
def build_kb():
    return load_tool("build_kb")


@pytest.fixture(scope="module")
def generated(build_kb):
    return build_kb.build()


def test_regenerating_equals_the_committed_files(build_kb, generated):
    kb_text, conflicts_text = generated
    with open(build_kb.OUT_KB, encoding="utf-8") as handle:
        assert handle.read() == kb_text, "kb.json is stale: run python tools/build_kb.py"
    with open(build_kb.OUT_CONFLICTS, encoding="utf-8") as handle:
        assert (
            handle.read() == conflicts_text
        ), "kb_conflicts.md is stale: run python tools/build_kb.py"


def test_generation_is_deterministic(build_kb, generated):
    assert build_kb.build() == generated


def test_the_refresh_command_rejects_a_folder_without_the_reference_data(tmp_path, capsys):
    assert load_tool("extract_inputs").main([str(tmp_path)]) == 2
    assert "not the SP-API reference data folder" in capsys.readouterr().err


ROLES_PAGE_EXCERPT = """\
Role definitions
In the following sections, Restricted means that the role requires sensitive information.
Pricing
The Pricing role provides access to operations that determine list prices.
-
Role available to sellers? Yes
-
Role available to vendors? No
Select for examples of operations that require this role.
- The
getPricingoperation of the Product Pricing API v2022-05-01, which returns pricing information. - The
createReportoperation of the Reports API v2021-06-30, when you request theGET_XML_DATAreport.
Product Listing
The Product Listing role provides access to operations that create and manage product listings.
-
Role available to sellers? Yes
-
Role available to vendors? Yes
"""


def test_the_refresh_command_reads_roles_availability_and_examples_off_the_roles_page():
    page = load_tool("extract_inputs").roles_page(ROLES_PAGE_EXCERPT)
    pricing, listing = page["roles"]
    assert (pricing["name"], pricing["sellers"], pricing["vendors"]) == ("Pricing", True, False)
    assert [(e["operation"], e["api"], e["version"]) for e in pricing["examples"]] == [
        ("getPricing", "Product Pricing API", "v2022-05-01"),
        ("createReport", "Reports API", "v2021-06-30"),
    ]
    assert "GET_XML_DATA" in pricing["examples"][1]["clause"]
    assert (listing["name"], listing["vendors"], listing["examples"]) == (
        "Product Listing", True, [])


def test_no_file_of_the_repository_names_a_path_outside_it():
    # The data regenerates from the repository alone; the refresh command takes its source as an
    # argument. (The patterns are assembled so that this file does not contain them.)
    outside = ("..".join(("", "/shared")), "/".join(("", "work", "")))
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [d for d in subfolders
                         if not d.startswith(".") and d not in ("__pycache__", "build", "dist")
                         and not d.endswith(".egg-info")]
        for name in files:
            if name.endswith((".py", ".md", ".toml", ".cfg", ".txt", ".json", ".yaml", ".yml")):
                with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
                    text = f.read()
                found += [(os.path.relpath(os.path.join(folder, name), root), pattern)
                          for pattern in outside if pattern in text]
    assert found == []
