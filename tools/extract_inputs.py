"""Refresh tools/kb_inputs/ from a copy of the SP-API reference data.

Usage: python tools/extract_inputs.py PATH_TO_SHARED_SPAPI

The reference data (Amazon's API models, role-mapping research files, Amazon's 2022 role lists,
the roles page and the Python clients' method tables) is large and lives outside the repository.
``tools/build_kb.py`` and ``tools/build_clients.py`` read only the compact inputs this script
writes: the facts they use, each with its source and date, and none of the page text (quotes,
page copies and model files stay behind). Run it when the reference data changes, then run both
generators and commit inputs and outputs together. Output is deterministic.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from typing import Any, Dict, List, Optional

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INPUTS = os.path.join(REPO_ROOT, "tools", "kb_inputs")
ROLES_PAGE = "https://developer-docs.amazon.com/sp-api/docs/roles-in-the-selling-partner-api"

# What is kept of each file: a dict names the keys kept (True: the whole value; a dict or a
# one-element list: the shape of the value, a list meaning "each item has this shape").
_ROLE_ROW = {
    key: True
    for key in (
        "operation", "roles", "regions", "grantless", "source", "source_type", "uncertain",
        "uncertain_reason", "reason", "role_region_limits", "secondary_source", "quote_kind",
        "role_spelling_in_source",
    )
}
_ROLE_ROW["contradiction"] = {"source": True, "roles": True}
_API = {"api": True, "version": True, "model_file": True, "in_role_mappings_toc": True,
        "operations": [_ROLE_ROW]}
_TYPE_ROW = {
    key: True
    for key in (
        "type", "roles", "regions", "uncertain", "confidence", "reason", "role_region_limits",
        "restricted_report_rdt", "restricted_basis", "deprecation", "possibly_retired",
        "availability", "note",
    )
}
_TYPE_ROW["evidence"] = [{"source": True, "url": True, "roles_as_written": True}]
_CLIENT_ENTRY = {
    key: True
    for key in (
        "class", "module", "method", "http_method", "path", "operation_id", "model_file",
        "async", "rdt_auto", "grantless", "deprecated", "unmatched_path",
        "operation_id_if_version_fixed", "model_file_if_version_fixed", "path_if_version_fixed",
        "also_callable_as", "async_class", "paginated_helper", "client_attributes",
        "client_attribute", "operation_id_by_version",
    )
}
_CLIENT = {
    "package": True, "version": True, "entries": [_CLIENT_ENTRY], "exports": True,
    "version_dispatch": True, "version_enums": True, "type_enums": True,
    "shadowed_exports": True,
    "legacy_versions": {"*": {"entries": [_CLIENT_ENTRY]}},
}
SHAPES: Dict[str, Any] = {
    "operations-catalog.json": [
        {key: True for key in ("model_file", "version", "operation_id", "http_method", "path",
                               "deprecated", "sandbox_only")}
    ],
    "operations-counts.json": {"source": {"repository": True, "commit": True,
                                          "commit_date": True}},
    "role-mappings-operations.json": {
        "source": True, "retrieved": True, "role_names_in_tables": True,
        "role_name_spellings_seen": "keys", "apis": [_API],
    },
    "role-mappings-current-guides.json": {
        "retrieved": True, "role_names_seen": True, "apis": [_API],
    },
    "role-mappings-types.json": {
        "source": True, "retrieved": True,
        "sources": {"*": {"url": True, "as_of": True}},
        "role_name_spellings_seen": [{"spelling": True}],
        "reports": [_TYPE_ROW], "feeds": [_TYPE_ROW], "notifications": [_TYPE_ROW],
        "known_types_without_mapping": {"*": [{"type": True, "note": True}]},
    },
    "sources/roles-to-rights-2022.json": {"roles": [{"role": True, "file": True}]},
    "sources/roles-to-rights-2022-by-operation.json": {
        "source": True, "date": True,
        "operations": [{
            "method": True, "path": True, "operation": True, "all_roles": True,
            "regions_by_role": True, "rdt_roles": True, "current_catalog": {"model_file": True},
        }],
        "types": [{"section": True, "type": True, "roles": True}],
    },
    **{f"clients/{name}.json": _CLIENT for name in (
        "python-amazon-sp-api", "amzn-sp-api", "amzn-selling-partner", "amazon-sp-api-clients")},
}


def project(value: Any, shape: Any) -> Any:
    """``value`` with only the keys ``shape`` names (recursively); absent keys stay absent."""
    if shape is True or value is None:
        return value
    if shape == "keys":
        return sorted(value)
    if isinstance(shape, list):
        return [project(item, shape[0]) for item in value]
    if "*" in shape:
        return {key: project(item, shape["*"]) for key, item in value.items()}
    return {key: project(value[key], sub) for key, sub in shape.items() if key in value}


# ---------------------------------------------------------------------------- later research rows

# role-mappings-2026-12.json cites its sources in prose; these are the forms it uses.
_REF_PATTERNS = (
    re.compile(r"https?://[^\s;,()']+"),  # a URL
    re.compile(r"(?<![/\w.])github\.com/[^\s;,()']+"),  # a URL without its scheme
    re.compile(r"\b[\w.-]+/[\w.-]+@[0-9a-f]{7,40}:[^\s;,()']+"),  # owner/repo@commit:path
)
# Citations that name a file of a repository without a link: (repository:path, kind).
UNLINKED_CITATIONS = {
    "ruby0925/linkfox-skills skills/linkfox-amazon-store-fulfillment-outbound/references/"
    "migration.md": (
        "ruby0925/linkfox-skills:skills/linkfox-amazon-store-fulfillment-outbound/references/"
        "migration.md",
        "third-party",
    ),
}
# A row's strength -> the kind of source its Amazon pages are.
PAGE_KIND = {"amazon-role-table": "role-mappings-table"}
# The Regions cell of a role table row names SP-API regions or, for a one-country API, the
# marketplace; Brazil is served by the North America region.
REGION_CELLS = {"NA": "NA", "EU": "EU", "FE": "FE", "BR": "NA"}


def _citation_refs(text: str, strength: str) -> List[Dict[str, str]]:
    """The sources a citation names: (ref, kind), in order of appearance."""
    found = []
    for written, (ref, kind) in UNLINKED_CITATIONS.items():
        if written in text:
            found.append((text.index(written), ref, kind))
    for pattern in _REF_PATTERNS:
        for match in pattern.finditer(text):
            ref = match.group(0).rstrip(".")
            if ref.startswith("github.com/"):
                ref = "https://" + ref
            if "@" in ref and not ref.startswith("http"):
                kind = "sample" if "samples" in ref.split("@")[0] else "repository"
            elif "github.com/" in ref and "/issues/" in ref:
                kind = "issue-comment"
            elif "developer-docs.amazon.com" in ref:
                kind = PAGE_KIND.get(strength, "guide")
            else:
                kind = "third-party"
            found.append((match.start(), ref, kind))
    return [{"ref": ref, "kind": kind} for _, ref, kind in sorted(found)]


def later_rows(data: dict) -> dict:
    """role-mappings-2026-12.json: per row its roles, strength, sources and what it rests on.

    Quotes are left behind. A source's date is the one the row gives ("2026-07-06 (issue)",
    "commit 2026-08-21"), else the day the rows were retrieved.
    """
    rows = []
    for row in data["rows"]:
        date = re.match(r"(?:commit )?(\d{4}-\d{2}-\d{2})\b", row["date_if_known"] or "")
        cell = re.search(r"\| Regions \| ([A-Z]{2}(?:, [A-Z]{2})*) \|", row["quote"])
        written = cell.group(1).split(", ") if cell else []
        unknown = [code for code in written if code not in REGION_CELLS]
        if unknown:
            raise SystemExit(f"extract_inputs: Regions cell {unknown} of {row['operation']}: "
                             "add it to REGION_CELLS")
        type_kind = re.match(r"(Report|Feed|Notification)s \(type\)$", row["api"])
        rows.append({
            "api": row["api"],
            "version": row["version"],
            "operation": row["operation"],
            "type_kind": type_kind.group(1).lower() if type_kind else None,
            "roles": row["roles"],
            "regions": sorted({REGION_CELLS[code] for code in written}),
            "strength": row["strength"],
            "inferred": row["inferred"],
            "sources": [
                dict(item, date=date.group(1) if date else data["retrieved"])
                for item in _citation_refs(row["source_url_or_repo_path"], row["strength"])
            ],
            "cited_as": row["source_url_or_repo_path"],
            "note": row["note"],
        })
    return {"retrieved": data["retrieved"], "strength_values": data["strength_values"],
            "rows": rows}


# ---------------------------------------------------------------------------- the roles page


def roles_page(text: str) -> dict:
    """The 17 role definitions of the roles page: name, description, availability, examples.

    Each example is the operation, API and version the page names and the rest of its sentence
    (which names the report, feed or notification type where the type decides).
    """
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip() == "Role definitions")
    heads = [
        i
        for i in range(start + 1, len(lines) - 1)
        if lines[i].strip()
        and re.match(r"The " + re.escape(lines[i].strip()) + r"( \([A-Z]+\))? role ",
                     lines[i + 1].strip())
    ]
    roles = []
    for number, head in enumerate(heads):
        end = heads[number + 1] if number + 1 < len(heads) else len(lines)
        block = "\n".join(lines[head:end])
        examples = [
            {"operation": op_id, "api": api, "version": version, "clause": clause}
            for op_id, api, version, clause in re.findall(
                r"^(\w+?)operation of the (.+? API) (v[\w-]+?)[,.]? (.*?)(?: - The)?$", block,
                re.M,
            )
        ]
        roles.append({
            "name": lines[head].strip(),
            "description": lines[head + 1].strip(),
            "sellers": re.search(r"Role available to sellers\? (Yes|No)", block).group(1) == "Yes",
            "vendors": re.search(r"Role available to vendors\? (Yes|No)", block).group(1) == "Yes",
            "examples": examples,
        })
    return {"source": ROLES_PAGE, "date": "", "roles": roles}


# ---------------------------------------------------------------------------- output


def render(value: Any, indent: int = 0) -> str:
    """JSON with every value that fits in 200 characters on one line (short diffs, small files)."""
    flat = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if len(flat) <= 200 or not isinstance(value, (dict, list)) or not value:
        return flat
    pad = " " * (indent + 1)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(key, ensure_ascii=False)}:{render(value[key], indent + 1)}"
                 for key in sorted(value)]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + render(item, indent + 1) for item in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def extract(shared: str) -> Dict[str, str]:
    """Relative path under tools/kb_inputs -> file text."""
    out: Dict[str, str] = {}
    for rel, shape in SHAPES.items():
        with open(os.path.join(shared, rel), "rb") as handle:
            raw = handle.read()
        data = project(json.loads(raw), shape)
        if rel.startswith("clients/"):  # build_clients cites the full table it was read from
            data["read_from"] = {"file": f"spapi/{rel}", "sha256": hashlib.sha256(raw).hexdigest()}
        out[rel] = render(data) + "\n"
    with open(os.path.join(shared, "role-mappings-2026-12.json"), encoding="utf-8") as handle:
        out["role-mappings-2026-12.json"] = render(later_rows(json.load(handle))) + "\n"
    with open(os.path.join(shared, "sources/seed/selling-partner-api-roles.txt"),
              encoding="utf-8") as handle:
        out["roles-page.json"] = render(roles_page(handle.read())) + "\n"
    return out


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("shared", metavar="PATH_TO_SHARED_SPAPI",
                        help="the SP-API reference data folder (holds operations-catalog.json)")
    args = parser.parse_args(argv)
    if not os.path.isfile(os.path.join(args.shared, "operations-catalog.json")):
        print(f"extract_inputs: error: {args.shared}: not the SP-API reference data folder "
              "(no operations-catalog.json)", file=sys.stderr)
        return 2
    files = extract(args.shared)
    for rel, text in sorted(files.items()):
        path = os.path.join(INPUTS, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    print(f"wrote {len(files)} files to {os.path.relpath(INPUTS, REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
