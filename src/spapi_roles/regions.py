"""The selling regions code shows, for proposing a manifest's ``regions`` (``spapi-roles init``).

Three signs, read from each file's ``ast`` (nothing is imported or executed): a marketplace ID as a
string (``"ATVPDKIKX0DER"``), a ``Marketplaces.X`` member of python-amazon-sp-api's enum
(``Marketplaces.DE``), and a regional endpoint host in a string
(``"https://sellingpartnerapi-fe.amazon.com"``). The facts are in ``data/marketplaces.json`` with
their sources (Amazon's Marketplace IDs and SP-API Endpoints pages).
"""

from __future__ import annotations

import ast
import json
import os
import re
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Tuple

from . import reading

DATA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "marketplaces.json")
REGION_ORDER = ("NA", "EU", "FE")
ENUM_NAME = "Marketplaces"


@dataclass(frozen=True)
class Sign:
    """Where code shows a region: ``region``, at ``path``:``line``, as ``shown`` (the text)."""

    region: str
    path: str
    line: int
    shown: str

    def __str__(self) -> str:
        return f"{self.shown} ({reading.printable(self.path)}:{self.line})"


class Signs:
    """The marketplace IDs, enum members and hosts of each region."""

    def __init__(self, doc: Dict[str, Any]):  # data/marketplaces.json
        self.by_id: Dict[str, str] = {}
        self.by_code: Dict[str, str] = {}
        self.by_host: Dict[str, str] = {}
        for region, spec in doc["regions"].items():
            self.by_host[spec["endpoint"].split(".", 1)[0]] = region
            for code, marketplace_id in spec["marketplaces"].items():
                self.by_code[code] = region
                self.by_id[marketplace_id] = region
        # a cheap test before parsing: a file that mentions none of these shows no region
        self.gate = re.compile("|".join(
            [re.escape(ENUM_NAME)] + [re.escape(host) for host in self.by_host]
            + [re.escape(marketplace_id) for marketplace_id in sorted(self.by_id)]))

    def in_string(self, text: str) -> Optional[Tuple[str, str]]:
        """(region, what shows it) for a string holding a marketplace ID or a regional host."""
        region = self.by_id.get(text.strip())
        if region is not None:
            return region, f'"{text.strip()}"'
        for host, region in self.by_host.items():
            if host in text:
                return region, host
        return None

    def in_source(self, source: str, path: str) -> List[Sign]:
        if self.gate.search(source) is None:
            return []
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return []
        found: List[Sign] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                shown = self.in_string(node.value)
                if shown is not None:
                    found.append(Sign(shown[0], path, node.lineno, shown[1]))
            elif isinstance(node, ast.Attribute) and node.attr in self.by_code:
                owner = node.value
                name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
                if name == ENUM_NAME:
                    found.append(Sign(self.by_code[node.attr], path, node.lineno,
                                      f"{ENUM_NAME}.{node.attr}"))
        return sorted(found, key=lambda sign: (sign.line, sign.shown))


_SIGNS: List[Signs] = []


def load() -> Signs:
    """The signs of each region, read once per process."""
    if not _SIGNS:
        with open(DATA_PATH, encoding="utf-8") as stream:
            _SIGNS.append(Signs(json.load(stream)))
    return _SIGNS[0]


def signs_in(paths: Iterable[str]) -> List[Sign]:
    """Every sign of a region in the Python files ``paths`` (unreadable files are skipped)."""
    signs = load()
    found: List[Sign] = []
    for path in paths:
        try:
            source = reading.read_source(path)
        except reading.ReadError:
            continue
        found += signs.in_source(source, path)
    return found


def regions_of(signs: Iterable[Sign]) -> Tuple[str, ...]:
    """The regions the signs show, in Amazon's order (NA, EU, FE)."""
    shown = {sign.region for sign in signs}
    return tuple(region for region in REGION_ORDER if region in shown)
