"""Build the packaged SP-API knowledge base (src/spapi_roles/data/kb.json) from tools/kb_inputs.

Usage: python tools/build_kb.py [--check]

The inputs are the facts extracted from the SP-API reference data by tools/extract_inputs.py
(tools/kb_inputs/README.md). The script also writes tools/kb_conflicts.md, the list of conflicts
between sources and how precedence resolved them. Output is deterministic: sorted keys, no
timestamps. With --check nothing is written; the exit status is 1 when the committed files differ
from what would be generated.

How roles are decided (the reference data's "How to combine the role sources"):
  tier 1  Amazon's current role tables (rows with uncertain=false): a complete any-one-of list.
          When present it decides alone; roles named only by lower tiers are listed as conflicts.
  tier 2  Amazon's current guides, tutorials, legacy role pages and the roles page's examples.
  tier 3  Amazon's 2022 per-role lists, only where the (method, path) still exists (or for a
          retired operation, the same retired path).
  tier 4  An Amazon statement naming a whole API (an Amazon staff answer on Data Kiosk).
  tier 5  Third-party material: used only when no Amazon source says anything.
  tier 6  Inference, only where no source of tiers 1-5 names a role (confidence "inferred"):
          the rows the later research marks inferred; a role description on the roles page that
          names a whole API; the predecessor version's operation (same API, method and path);
          the roles every sourced operation of the same API version names (at least two
          operations, and refused where they share none, as in Orders v0).
Tiers 2-4 and 6 are lower bounds (each says "this role is accepted", none says "only this
role"), so without a tier-1 row their roles are merged; the confidence is that of the best tier
present (1 high, 2 medium, 3-5 low, 6 inferred). With neither a source nor an inference the roles
stay unknown, and the operation's notes say why no rule applied.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

# the data format is the loader's: one definition of the schema for writer and reader
from spapi_roles.knowledge import OPERATION_FIELDS, SCHEMA_VERSION, TYPE_FIELDS, UNKNOWN_NOTE

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_KB = os.path.join(REPO_ROOT, "src", "spapi_roles", "data", "kb.json")
OUT_CONFLICTS = os.path.join(REPO_ROOT, "tools", "kb_conflicts.md")
INPUTS = os.path.join(REPO_ROOT, "tools", "kb_inputs")
REGIONS = ("NA", "EU", "FE")

# --------------------------------------------------------------------------------------------
# Data tables (SP-API facts that the inputs do not carry in machine-readable form).
# --------------------------------------------------------------------------------------------

# Human API names for model files that neither role-mapping file names.
API_NAMES_EXTRA = {
    "deliveryShipmentInvoiceV2022-07-01": "Delivery Shipment Invoicing API",
    "financesInvoices_2026-06-25": "Finances Invoices API",
    "fulfillmentOutbound_2026-07-04": "Fulfillment Outbound API",
}

MODELS_REPO = "amzn/selling-partner-api-models"

# Retired APIs / operations that clients still call. A client row (or 2022 row) whose path starts
# with a prefix below and that has no current model becomes a retired operation with this stem.
# "removed" cites the commit that removed it from the models (notes/roles-to-rights-2022.md,
# notes/models-catalog.md); None when it never was in the public models.
RETIRED_PREFIXES = [
    # (path prefix, stem, api, version, removed: (commit, date, what) or None)
    (
        "/reports/2020-09-04/",
        "reports_2020-09-04",
        "Reports API",
        "2020-09-04",
        ("3822f16", "2025-02-26", 'removed from the models ("Remove Feeds and Reports versions")'),
    ),
    (
        "/feeds/2020-09-04/",
        "feeds_2020-09-04",
        "Feeds API",
        "2020-09-04",
        ("3822f16", "2025-02-26", 'removed from the models ("Remove Feeds and Reports versions")'),
    ),
    (
        "/catalog/v0/items",
        "catalogItemsV0",
        "Catalog Items API",
        "v0",
        (
            "509a50e",
            "2025-04-25",
            'removed from the models ("Remove operations from Catalog Items v0")',
        ),
    ),
    (
        "/fba/inbound/v0/itemsGuidance",
        "fulfillmentInboundV0",
        "Fulfillment Inbound API",
        "v0",
        ("5265498", "2024-03-27", "removed from the models"),
    ),
    (
        "/fba/inbound/v0/",
        "fulfillmentInboundV0",
        "Fulfillment Inbound API",
        "v0",
        (
            "b69f57b",
            "2025-01-21",
            'removed from the models ("Remove Fulfillment Inbound v0 operations")',
        ),
    ),
    (
        "/fba/smallAndLight/v1/",
        "fbaSmallandLight",
        "FBA Small and Light API",
        "v1",
        ("759f36b", "2024-03-29", "API retired; model replaced by a stub pointing to Product Fees"),
    ),
    (
        "/mfn/v0/",
        "merchantFulfillmentV0",
        "Merchant Fulfillment API",
        "v0",
        ("7c59ac5", "2024-03-27", '"Old" variant removed from the models'),
    ),
    (
        "/messaging/v1/orders/{amazonOrderId}/messages/negativeFeedbackRemoval",
        "messaging",
        "Messaging API",
        "v1",
        ("7c93eb1", "2025-08-04", "removed from the models"),
    ),
    (
        "/messaging/v1/orders/{amazonOrderId}/messages/amazonMotors",
        "messaging",
        "Messaging API",
        "v1",
        ("b9dffa4", "2026-01-30", "removed from the models"),
    ),
    (
        "/authorization/v1/",
        "authorization",
        "Authorization API",
        "v1",
        (None, "2024-03-29", 'API removed; the model is a stub ("This API has been removed.")'),
    ),
    (
        "/externalFulfillment/shipments/2021-01-06/",
        "externalFulfillmentShipments_2021-01-06",
        "External Fulfillment Shipping API",
        "2021-01-06",
        None,
    ),
    (
        "/externalFulfillment/inventory/2021-01-06/",
        "externalFulfillmentInventory_2021-01-06",
        "External Fulfillment Inventory API",
        "2021-01-06",
        None,
    ),
]

# Operations that clients call but that are newer than the models snapshot (not retired).
CLIENT_ONLY_PREFIXES = [
    ("/promotions/2025-12-01/", "promotions_2025-12-01", "Promotions API", "2025-12-01"),
    ("/support/2025-02-01/", "support_2025-02-01", "Support API", "2025-02-01"),
    (
        "/finances/remittances/2026-03-17/",
        "financesRemittances_2026-03-17",
        "Finances Remittances API",
        "2026-03-17",
    ),
    (
        "/aplus/2020-11-01/media",
        "aplusContent_2020-11-01",
        "A+ Content Management API",
        "2020-11-01",
    ),
    (
        "/externalFulfillment/2024-09-11/shipments",
        "externalFulfillmentSandbox_2024-09-11",
        "External Fulfillment Sandbox API",
        "2024-09-11",
    ),
    (
        "/externalFulfillment/2026-07-30/",
        "externalFulfillmentSandbox_2026-07-30",
        "External Fulfillment Sandbox API",
        "2026-07-30",
    ),
]

# Operations whose roles depend on the type passed in an argument (Amazon: "createReport ... when
# you request the X report"; the Notifications subscription operations take the notification type;
# Data Kiosk queries take a dataset). (operation ids, carrier kind, argument name)
TYPE_CARRIERS = [
    (("createReport", "createReportSchedule"), "report", "reportType"),
    (("getReports", "getReportSchedules"), "report", "reportTypes"),
    (("createFeed",), "feed", "feedType"),
    (("getFeeds",), "feed", "feedTypes"),
    (("createSubscription", "getSubscription"), "notification", "notificationType"),
    (("getSubscriptions",), "notification", "notificationTypes"),
    (("createQuery",), "query", "query"),
]
TYPE_CARRIER_STEMS = ("reports_", "feeds_", "notifications", "dataKiosk_")

# Operations that need a Restricted Data Token. Tokens API guide, as recorded in
# role-mappings-current-guides.json (Tokens API, api_statements). (stems, operation ids)
TOKENS_GUIDE = "https://developer-docs.amazon.com/sp-api/lang-fr_FR/docs/tokens-api"
RDT_FROM_TOKENS_GUIDE = [
    (
        ("vendorDirectFulfillmentOrdersV1", "vendorDirectFulfillmentOrders_2021-12-28"),
        ("getOrders", "getOrder"),
    ),
    (
        ("vendorDirectFulfillmentShippingV1", "vendorDirectFulfillmentShipping_2021-12-28"),
        (
            "getShippingLabels",
            "getShippingLabel",
            "getPackingSlips",
            "getPackingSlip",
            "getCustomerInvoices",
            "getCustomerInvoice",
            "createShippingLabels",
        ),
    ),
    (("easyShip_2022-03-23",), ("createScheduledPackageBulk",)),
    (
        ("merchantFulfillmentV0",),
        ("getShipment", "cancelShipment", "cancelShipmentOld", "createShipment"),
    ),
    (
        ("ordersV0",),
        (
            "getOrders",
            "getOrder",
            "getOrderItems",
            "getOrderRegulatedInfo",
            "getOrderAddress",
            "getOrderBuyerInfo",
            "getOrderItemsBuyerInfo",
        ),
    ),
]
# RDT only in some cases: recorded as a note, restricted_data stays false.
RDT_CONDITIONAL = {
    "getReportDocument": "needs a Restricted Data Token only for restricted report types "
    "(see the report type's `restricted` flag)",
}

# Statements in the roles page's role descriptions that name a whole API (an inference, tier 6).
# role -> (model stems, phrase that must occur in the role's description on the seed page)
SEED_API_WIDE = {
    "Amazon Warehousing and Distribution": (
        ("awd_2024-05-09",),
        "Amazon Warehousing and Distribution API",
    ),
    "Buyer Communication": (("messaging",), "Messaging API"),
    "Buyer Solicitation": (("solicitations",), "Solicitations API"),
    "Notifications in Seller Central": (("appIntegrations-2024-04-01",), "App Integrations API"),
    "Professional Services (Restricted)": (("services",), "Services API v1"),
}

# Other statements that name a whole API (tier 4): (model stem, role, source ref, date, kind, note).
# Data Kiosk: notes/role-mappings-types.md, "Brand Analytics access, from public GitHub issues".
OTHER_API_WIDE = [
    (
        "dataKiosk_2023-11-15",
        "Brand Analytics",
        "https://github.com/amzn/selling-partner-api-models/issues/5296",
        "2026-07",
        "issue-comment",
        "an Amazon staff comment says Data Kiosk needs Brand Analytics",
    ),
]

# Grantless operations that no role-mapping row carries: the Grantless Operations page lists them
# (role-mappings-current-guides.json, Notifications API, api_statements). (stem, operation id)
GRANTLESS_PAGE = "https://developer-docs.amazon.com/sp-api/docs/grantless-operations"
GRANTLESS_EXTRA = [("authorization", "getAuthorizationCode")]

# Descriptive report names in the seed page's examples -> type name (Amazon's report type values
# pages give these titles: "FBA Fee Preview Report", "Flat File V2 Settlement Report").
SEED_TYPE_TITLES = {
    "FBA Fee Preview": ("report", "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA"),
    "Flat File V2 Settlement": ("report", "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"),
}

# Spelling quirks of type names in the sources -> canonical name (role-mappings-types.json,
# anomalies_excluded and known_types_without_mapping notes).
TYPE_ALIASES = {
    "_GET_FLAT_FILE_SALES_TAX_DATA": "GET_FLAT_FILE_SALES_TAX_DATA",
    "GET_XML_ALL_ORDERS_DATA_BY_ORDER_DATE__GENERAL": (
        "GET_XML_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
    ),
    "brandedItemContentChange": "BRANDED_ITEM_CONTENT_CHANGE",
    "itemProductTypeChange": "ITEM_PRODUCT_TYPE_CHANGE",
    "GET_MFN_PAN_EU_OFFER_STATUS": "GET_MFN_PANEU_OFFER_STATUS",
}
# Client enum members filed under the wrong kind (anomalies_excluded): (enum kind, name).
MISFILED_ENUM_MEMBERS = {("report", "POST_FLAT_FILE_INVLOADER_DATA")}

# Role names Amazon's pages mention that are not among the 17 roles, and what they may mean.
MENTIONED_ROLE_NOTES = {
    "Amazon Logistics": (
        "Amazon Shipping docs call it a prerequisite for the Amazon Shipping API "
        "(Shipping v2); it is in no SP-API role table.",
        None,
    ),
    "Direct-to-Consumer Delivery (Restricted)": (
        "Orders tutorials and the Orders v2026-01-01 PII notes use this name; whether it is "
        "Direct-to-Consumer Shipping (Restricted) renamed or a separate role is not settled by "
        "the sources.",
        "Direct-to-Consumer Shipping (Restricted)",
    ),
    "Vendor Retail Procurement Shipments": (
        "Named in the retrieve-shipment-labels tutorial; the Vendor Shipments role table says "
        "Amazon Fulfillment.",
        "Amazon Fulfillment",
    ),
}

# --------------------------------------------------------------------------------------------

SOURCE_KINDS = {
    "role_mappings_page": "role-mappings-table",
    "use_case_guide_roles_table": "role-mappings-table",
    "github_mirror_of_amazon_doc": "role-mappings-table",
}
# Sources of role-mappings-types.json (its "sources" S1-S6) -> (tier, source kind).
TYPE_SOURCE_TIERS = {
    "S1": (1, "role-mappings-table"),
    "S2": (2, "role-page"),
    "S3": (2, "type-page"),
    "S4": (2, "type-page"),
    "S5": (3, "roles-2022"),
    "S6": (5, "third-party"),
}
INFERRED = 6  # the tier of an inference
TIER_CONFIDENCE = {1: "high", 2: "medium", 3: "low", 4: "low", 5: "low", INFERRED: "inferred"}
TIER_NAMES = {
    1: "current role table",
    2: "current guide/tutorial",
    3: "2022 role list",
    4: "statement naming the whole API",
    5: "third party",
    INFERRED: "inference",
}
# Facts an operation-specific Amazon source states: what inferences may rest on.
SOURCED_TIERS = (1, 2, 3)
# The API family rule needs this many sourced operations that all name the inferred roles.
FAMILY_MINIMUM = 2
RESEARCH_NOTES = "SP-API role research notes (rows marked inferred)"


def load_json(base: str, rel: str):
    with open(os.path.join(base, rel), encoding="utf-8") as handle:
        return json.load(handle)


def stem_of(model_file: str) -> str:
    return os.path.splitext(os.path.basename(model_file))[0]


def norm_path(path: str) -> str:
    """Path with every placeholder written as {} (join key between clients, 2022 lists, models)."""
    return re.sub(r"\{[^}]*\}", "{}", path.split("?")[0].rstrip("/"))


def role_key(name: str) -> str:
    """Spelling-insensitive key of a role name: case, hyphens, '(Restricted)', region suffixes."""
    text = name.lower().replace("-", " ")
    text = re.sub(r"\((?:na|eu|fe)(?:,\s*(?:na|eu|fe))*\s+only\)", " ", text)
    text = text.replace("(restricted)", " ")
    text = re.sub(r"\([a-z]+\)", " ", text)  # abbreviation in parentheses, e.g. (AISP)
    return " ".join(text.split())


def region_suffix(name: str) -> Optional[Tuple[str, ...]]:
    match = re.search(r"\(((?:NA|EU|FE)(?:,\s*(?:NA|EU|FE))*)\s+only\)", name)
    if not match:
        return None
    return tuple(r for r in REGIONS if r in match.group(1))


def sort_regions(regions: Iterable[str]) -> List[str]:
    found = set(regions)
    return [r for r in REGIONS if r in found]


# --------------------------------------------------------------------------------------------
# Sources table
# --------------------------------------------------------------------------------------------


class Sources:
    """Deduplicated (ref, date, kind) triples; operations and types refer to them by index."""

    def __init__(self) -> None:
        self._items: Set[Tuple[str, str, str]] = set()

    def add(self, ref: str, date: str, kind: str) -> Tuple[str, str, str]:
        item = (ref, date, kind)
        self._items.add(item)
        return item

    def table(self) -> List[Tuple[str, str, str]]:
        return sorted(self._items)


@dataclass
class Evidence:
    tier: int
    source: Tuple[str, str, str]
    roles: Tuple[str, ...]
    grantless: bool = False
    regions: Tuple[str, ...] = ()
    role_regions: Dict[str, Tuple[str, ...]] = field(default_factory=dict)
    note: str = ""
    later: bool = False  # from the rows found later (role-mappings-2026-12.json)


@dataclass
class OpRecord:
    key: str
    api: str
    version: str
    operation_id: str
    method: str
    path: str
    deprecated: bool
    retired: bool
    in_models: bool
    sources: List[Tuple[str, str, str]] = field(default_factory=list)
    evidence: List[Evidence] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)
    restricted_data: bool = False
    rdt_sources: List[Tuple[str, str, str]] = field(default_factory=list)
    model_file: str = ""
    # Decided by Builder.resolve_operations:
    roles: Tuple[str, ...] = ()
    grantless: bool = False
    confidence: str = "unknown"
    tier: int = 9  # the tier that decided (9: nothing did)
    regions: Tuple[str, ...] = ()
    role_regions: Dict[str, Tuple[str, ...]] = field(default_factory=dict)
    role_sources: List[Tuple[str, str, str]] = field(default_factory=list)
    type_carrier: Optional[str] = None
    type_argument: Optional[str] = None


def family_roles(basis: Sequence[Tuple[str, Tuple[str, ...]]]) -> Tuple[Tuple[str, ...], str]:
    """The roles every (operation, sourced roles) of an API version names, or () and why not.

    The refusal is a template with ``{where}`` for the API and version.
    """
    if not basis:
        return (), "no operation of the {where} has sourced roles"
    if len(basis) < FAMILY_MINIMUM:
        named = "; ".join(f"{op_id}: {', '.join(roles)}" for op_id, roles in basis)
        return (), (
            f"only {len(basis)} operation of the {{where}} has sourced roles ({named});"
            f" at least {FAMILY_MINIMUM} needed"
        )
    common = set.intersection(*(set(roles) for _, roles in basis))
    if not common:
        return (), (
            f"the {len(basis)} sourced operations of the {{where}} share no role (mixed roles)"
        )
    return tuple(sorted(common)), ""


def version_order(version: str) -> Tuple[int, str]:
    """Sort key of API versions: v0 < v1 < dated versions, dates in order."""
    return (0, version.zfill(12)) if version.startswith("v") else (1, version)


def resource_key(op: "OpRecord") -> Tuple[str, str, str]:
    """(API, method, path with placeholders and the version segment blanked): one resource."""
    segments = norm_path(op.path).split("/")
    version = {op.version, "v" + op.version.lstrip("v")}
    return op.api, op.method, "/".join("{V}" if seg in version else seg for seg in segments)


def predecessor_evidence(op: "OpRecord", same_resource: Sequence["OpRecord"]):
    """Inference from the latest earlier version's operation of the same resource.

    (evidence, "") when that operation has sourced roles, else ([], why not).
    """
    earlier = [
        other for other in same_resource if version_order(other.version) < version_order(op.version)
    ]
    if not earlier:
        return [], f"no earlier version of the {op.api} has the same method and path"
    pred = max(earlier, key=lambda other: version_order(other.version))
    if pred.tier not in SOURCED_TIERS or not pred.roles:
        return [], f"its predecessor {pred.key} has no sourced roles"
    note = (
        f"inferred from its predecessor {pred.operation_id} of the {pred.api} {pred.version}"
        f" (same method and path): {', '.join(pred.roles)} ({pred.confidence})"
    )
    return [Evidence(INFERRED, source, pred.roles, note=note) for source in pred.role_sources], ""


def family_evidence(op: "OpRecord", family: Sequence["OpRecord"]):
    """Inference from the roles every sourced operation of the API version names.

    (evidence, "") when there is such a role, else ([], why not).
    """
    roles, refusal = family_roles([(other.operation_id, other.roles) for other in family])
    where = f"{op.api} {op.version}"
    if not roles:
        return [], f"API family: {refusal.format(where=where)}"
    note = (
        f"inferred from {len(family)} sourced operations of the {where}, all {', '.join(roles)}"
    )
    sources = sorted({source for other in family for source in other.role_sources})
    return [Evidence(INFERRED, source, roles, note=note) for source in sources], ""


def decide(evidence: Sequence[Evidence]):
    """(grantless, roles, best tier, chosen evidence, Amazon-or-all pool), or None without roles.

    The best tier decides: grantless evidence of that tier makes the operation grantless; a
    tier-1 row is a complete list; lower tiers are lower bounds and their roles are merged.
    Third-party evidence (tier 5) counts only when no Amazon source names a role, and an
    inference (tier 6) only when no source does.
    """
    usable = [e for e in evidence if e.roles or e.grantless]  # not: only mentioned names
    pool = (
        [e for e in usable if e.tier < 5]
        or [e for e in usable if e.tier == 5]
        or [e for e in usable if e.tier == INFERRED]
    )
    if not pool:
        return None
    best = min(e.tier for e in pool)
    grantless_ev = [e for e in pool if e.grantless and e.tier == best]
    if grantless_ev:
        return True, (), best, grantless_ev, pool
    chosen = [e for e in pool if e.tier == 1] if best == 1 else [
        e for e in pool if not e.grantless]
    return False, tuple(sorted({r for e in chosen for r in e.roles})), best, chosen, pool


class Builder:
    def __init__(self, inputs: str) -> None:
        self.sources = Sources()
        self.conflicts: Dict[str, List[str]] = defaultdict(list)
        counts = load_json(inputs, "operations-counts.json")["source"]
        self.models_commit = counts["commit"]
        self.models_date = counts["commit_date"][:10]
        self.catalog = load_json(inputs, "operations-catalog.json")
        self.rm_ops = load_json(inputs, "role-mappings-operations.json")
        self.rm_guides = load_json(inputs, "role-mappings-current-guides.json")
        self.rm_types = load_json(inputs, "role-mappings-types.json")
        self.later = load_json(inputs, "role-mappings-2026-12.json")
        self.r2022 = load_json(inputs, "sources/roles-to-rights-2022.json")
        self.r2022_ops = load_json(inputs, "sources/roles-to-rights-2022-by-operation.json")
        self.clients = {
            name: load_json(inputs, f"clients/{name}.json")
            for name in (
                "python-amazon-sp-api",
                "amzn-sp-api",
                "amzn-selling-partner",
                "amazon-sp-api-clients",
            )
        }
        self.roles_page = load_json(inputs, "roles-page.json")
        self.date_2022 = self.r2022_ops["date"][:10]
        self.commit_2022 = self.r2022_ops["source"].split("@", 1)[1]
        self.role_files_2022 = {r["role"]: r["file"] for r in self.r2022["roles"]}

    # ---------------------------------------------------------------- roles
    def build_roles(self) -> None:
        self.roles: Dict[str, dict] = {}
        page = self.roles_page
        seed_source = self.sources.add(page["source"], page["date"], "roles-page")
        self.seed_source = seed_source
        self.role_examples: Dict[str, List[dict]] = {}
        for role in page["roles"]:
            name = role["name"]
            self.role_examples[name] = role["examples"]
            abbreviation = re.match(r"The .+? \(([A-Z]+)\) role ", role["description"])
            self.roles[name] = {
                "description": role["description"],
                "sellers": role["sellers"],
                "vendors": role["vendors"],
                "restricted": name.endswith("(Restricted)"),
                "abbreviation": abbreviation.group(1) if abbreviation else None,
                "aliases": {},
                "sources": [seed_source],
            }
        if len(self.roles) != 17:
            raise SystemExit(f"expected 17 roles on the roles page, found {len(self.roles)}")
        self.role_by_key = {role_key(name): name for name in self.roles}
        for name, info in self.roles.items():
            if info["abbreviation"]:
                info["aliases"][info["abbreviation"]] = seed_source
        self.mentioned: Dict[str, dict] = {}
        self._collect_spellings()

    def _collect_spellings(self) -> None:
        """Every role spelling the sources use: alias of a canonical role, or a mentioned name."""
        seen: List[Tuple[str, Tuple[str, str, str]]] = []
        rm_src = self.sources.add(
            self.rm_ops["source"], self.rm_ops["retrieved"], "role-mappings-table"
        )
        for name in self.rm_ops["role_names_in_tables"]:
            seen.append((name, rm_src))
        for name in self.rm_ops["role_name_spellings_seen"]:
            seen.append((name, rm_src))
        for name in self.rm_guides["role_names_seen"]:
            seen.append(
                (
                    name,
                    self.sources.add(
                        "https://developer-docs.amazon.com/sp-api/docs",
                        self.rm_guides["retrieved"],
                        "guide",
                    ),
                )
            )
        types_src = self.sources.add(
            self.rm_types["source"], self.rm_types["retrieved"], "role-mappings-table"
        )
        for item in self.rm_types["role_name_spellings_seen"]:
            seen.append((item["spelling"], types_src))
        for role in self.r2022["roles"]:
            seen.append((role["role"], self.source_2022(role["role"])))
        for api in self.rm_ops["apis"] + self.rm_guides["apis"]:
            for op in api["operations"]:
                for name in op["roles"] + [op.get("role_spelling_in_source") or ""]:
                    if name:
                        seen.append(
                            (
                                name,
                                self.sources.add(
                                    op["source"], self.retrieved(api), self.kind_of(op)
                                ),
                            )
                        )
        for spelling, source in seen:
            if spelling.startswith("None"):
                continue  # "None (grantless)" is the value of a grantless cell, not a role
            canonical = self.role_by_key.get(role_key(spelling))
            if canonical:
                if spelling != canonical:
                    self.roles[canonical]["aliases"].setdefault(spelling, source)
            else:
                entry = self.mentioned.setdefault(spelling, {"sources": set()})
                entry["sources"].add(source)
        for spelling in self.mentioned:
            if spelling not in MENTIONED_ROLE_NOTES:
                raise SystemExit(
                    f"role spelling {spelling!r} matches no role"
                    " and has no note in MENTIONED_ROLE_NOTES"
                )

    def retrieved(self, api: dict) -> str:
        return (
            self.rm_ops["retrieved"]
            if "in_role_mappings_toc" in api
            else self.rm_guides["retrieved"]
        )

    def source_2022(self, role: str) -> Tuple[str, str, str]:
        path = self.role_files_2022.get(role, "guides/en-US/roles/roles-to-rights")
        return self.sources.add(
            f"amzn/selling-partner-api-docs@{self.commit_2022}:{path}", self.date_2022, "roles-2022"
        )

    def canonical_roles(
        self, names: Iterable[str], where: str
    ) -> Tuple[Tuple[str, ...], Dict[str, Tuple[str, ...]], List[str]]:
        """Canonical role names, per-role region limits from suffixes, mentioned-only names."""
        out: List[str] = []
        limits: Dict[str, Tuple[str, ...]] = {}
        dropped: List[str] = []
        for name in names:
            canonical = self.role_by_key.get(role_key(name))
            if canonical is None:
                dropped.append(name)
                continue
            if canonical not in out:
                out.append(canonical)
            suffix = region_suffix(name)
            if suffix:
                limits[canonical] = suffix
        if dropped:
            self.conflicts[
                "Mentioned role names that are not one of the 17 roles (not adopted)"
            ].append(f"{where}: {', '.join(dropped)}")
        return tuple(sorted(out)), limits, dropped

    def kind_of(self, row: dict) -> str:
        if row.get("secondary_source"):
            return "third-party"
        if "source_type" in row:
            return SOURCE_KINDS.get(row["source_type"], "guide")
        if row.get("quote_kind") == "grantless list":
            return "grantless-list"
        if row.get("uncertain") is False and row.get("quote_kind", "").startswith("role table"):
            return "role-mappings-table"
        return "guide"

    # ---------------------------------------------------------------- operations
    def build_operations(self) -> None:
        self.api_names: Dict[str, Tuple[str, str]] = {}
        for api in self.rm_ops["apis"] + self.rm_guides["apis"]:
            self.api_names[stem_of(api["model_file"])] = (
                api["api"],
                (
                    api["version"].lstrip("v")
                    if re.match(r"v\d{4}", api["version"])
                    else api["version"]
                ),
            )
        self.ops: Dict[str, OpRecord] = {}
        per_file = defaultdict(lambda: defaultdict(list))
        for row in self.catalog:
            per_file[row["model_file"]][row["operation_id"]].append(row)
        for row in self.catalog:
            stem = stem_of(row["model_file"])
            api = self.api_names.get(stem, (API_NAMES_EXTRA.get(stem), row["version"]))[0]
            if not api:
                raise SystemExit(f"no API name for model {stem}; add it to API_NAMES_EXTRA")
            key = f"{stem}#{row['operation_id']}"
            if len(per_file[row["model_file"]][row["operation_id"]]) > 1:
                key += f":{row['http_method']}"
            model_src = self.sources.add(
                f"{MODELS_REPO}@{self.models_commit}:{row['model_file']}", self.models_date, "model"
            )
            op = OpRecord(
                key=key,
                api=api,
                version=row["version"],
                operation_id=row["operation_id"],
                method=row["http_method"],
                path=row["path"],
                deprecated=row["deprecated"],
                retired=False,
                in_models=True,
                sources=[model_src],
                model_file=row["model_file"],
            )
            if row.get("sandbox_only"):
                op.notes.append("sandbox-only operation")
            self.ops[key] = op
        self.by_file_op = defaultdict(list)
        self.by_http = {}
        for op in self.ops.values():
            self.by_file_op[(op.model_file, op.operation_id)].append(op)
            self.by_http[(op.method, norm_path(op.path))] = op
        self._add_retired_and_client_only()

    def _placement(self, path: str):
        for prefix, stem, api, version, removed in RETIRED_PREFIXES:
            if path.startswith(prefix):
                return stem, api, version, True, removed
        for prefix, stem, api, version in CLIENT_ONLY_PREFIXES:
            if path.startswith(prefix):
                return stem, api, version, False, None
        return None

    def _add_retired_and_client_only(self) -> None:
        candidates: Dict[Tuple[str, str], dict] = {}
        for name, table in sorted(self.clients.items()):
            for row in table["entries"]:
                if row.get("model_file") or row.get("async"):
                    continue
                nkey = (row["http_method"], norm_path(row["path"]))
                if nkey in self.by_http:
                    continue
                cand = candidates.setdefault(nkey, {"paths": set(), "ids": set(), "clients": set()})
                cand["paths"].add(row["path"])
                if row.get("operation_id"):
                    cand["ids"].add(row["operation_id"])
                cand["clients"].add(f"{table['package']}=={table['version']}")
        for row in self.r2022_ops["operations"]:
            nkey = (row["method"], norm_path(row["path"]))
            if row["current_catalog"] is None and nkey in candidates:
                candidates[nkey]["paths"].add(row["path"])
                candidates[nkey]["ids"].add(row["operation"])
                candidates[nkey]["from_2022"] = True
        unplaced = []
        for (method, npath), cand in sorted(candidates.items()):
            named = sorted(
                (p for p in cand["paths"] if "{}" not in p), key=lambda p: (p.count("{"), p)
            )
            path = named[0] if named else sorted(cand["paths"])[0]
            placement = self._placement(path)
            if placement is None or not cand["ids"]:
                unplaced.append(
                    f"{method} {sorted(cand['paths'])[0]} ({', '.join(sorted(cand['clients']))})"
                )
                continue
            if len(cand["ids"]) > 1:
                raise SystemExit(f"several operationIds for {method} {path}: {sorted(cand['ids'])}")
            stem, api, version, retired, removed = placement
            op_id = next(iter(cand["ids"]))
            key = f"{stem}#{op_id}"
            if key in self.ops:
                key += f":{method}"
            sources = [
                self.sources.add(f"pypi:{c}", "", "client-table") for c in sorted(cand["clients"])
            ]
            op = OpRecord(
                key=key,
                api=api,
                version=version,
                operation_id=op_id,
                method=method,
                path=path,
                deprecated=retired,
                retired=retired,
                in_models=False,
                sources=sources,
            )
            if retired and removed:
                commit, date, what = removed
                ref = (
                    f"{MODELS_REPO}@{commit}"
                    if commit
                    else f"{MODELS_REPO} (models/{stem}.md stub)"
                )
                op.sources.append(self.sources.add(ref, date, "model-history"))
                op.notes.append(f"retired: {what} on {date}")
            elif retired:
                op.notes.append(
                    "retired: never in the public models;"
                    " known from clients and Amazon's 2022 role lists"
                )
            else:
                op.notes.append("not in the models snapshot; known only from client packages")
            self.ops[key] = op
            self.by_http[(method, npath)] = op
        self.unplaced_client_paths = unplaced

    def gather_role_evidence(self) -> None:
        # Tiers 1, 2 and 5: the two role-mapping files.
        for data in (self.rm_ops, self.rm_guides):
            for api in data["apis"]:
                for row in api["operations"]:
                    targets = self.by_file_op.get((api["model_file"], row["operation"]), [])
                    if not targets:
                        raise SystemExit(
                            f"role row for unknown operation {api['model_file']} {row['operation']}"
                        )
                    kind = self.kind_of(row)
                    tier = 5 if kind == "third-party" else (1 if row["uncertain"] is False else 2)
                    source = self.sources.add(row["source"], self.retrieved(api), kind)
                    for op in targets:
                        roles, limits, dropped = self.canonical_roles(row["roles"], op.key)
                        for name in dropped:
                            op.notes.append(
                                f"{row['source']} also names {name!r},"
                                " which is not one of the 17 roles"
                            )
                        limits.update(
                            {
                                self.role_by_key[role_key(r)]: tuple(sort_regions(v))
                                for r, v in (row.get("role_region_limits") or {}).items()
                                if role_key(r) in self.role_by_key
                            }
                        )
                        reason = row.get("uncertain_reason") or row.get("reason") or ""
                        op.evidence.append(
                            Evidence(
                                tier,
                                source,
                                roles,
                                bool(row["grantless"]),
                                tuple(sort_regions(row.get("regions") or [])),
                                limits,
                                reason,
                            )
                        )
                        if row.get("contradiction"):
                            other = row["contradiction"]
                            self.conflicts[
                                "Contradicting copies of an Amazon page (first copy kept)"
                            ].append(
                                f"{op.key}: kept {', '.join(roles)} from {row['source']}; "
                                f"{other.get('source')} gives {', '.join(other.get('roles', []))}"
                            )
        # Tiers 1 and 2: the sourced operation rows found later. Their inferred rows are
        # inferences (infer_roles), their type rows notes on the types (build_types).
        for row in self.later["rows"]:
            if row["inferred"] or row["type_kind"]:
                continue
            op = self.later_target(row)
            tier = 1 if row["strength"] == "amazon-role-table" else 2
            roles, _, _ = self.canonical_roles(row["roles"], op.key)
            note = self.later["strength_values"][row["strength"]]
            for item in row["sources"]:
                source = self.sources.add(item["ref"], item["date"], item["kind"])
                op.evidence.append(
                    Evidence(tier, source, roles, regions=tuple(row["regions"]), note=note,
                             later=True)
                )
        # Tier 2: the roles page's operation examples.
        for role, op_key, clause in self.seed_examples():
            self.ops[op_key].evidence.append(
                Evidence(2, self.seed_source, (role,), note=f"roles page example: {clause}")
            )
        # Tier 3: Amazon's 2022 lists where the (method, path) still exists (or the retired path).
        for row in self.r2022_ops["operations"]:
            op = self.by_http.get((row["method"], norm_path(row["path"])))
            if op is None:
                continue
            if (
                row["current_catalog"] is not None
                and op.model_file != row["current_catalog"]["model_file"]
            ):
                raise SystemExit(f"2022 row {row['method']} {row['path']} joins a different model")
            roles, _, _ = self.canonical_roles(row["all_roles"], op.key)
            for role_name in row["all_roles"]:
                regions = tuple(sort_regions(row["regions_by_role"].get(role_name, [])))
                canonical = self.role_by_key[role_key(role_name)]
                op.evidence.append(
                    Evidence(
                        3,
                        self.source_2022(role_name),
                        (canonical,),
                        regions=regions,
                        role_regions={canonical: regions} if regions else {},
                    )
                )
            if row["rdt_roles"]:
                op.rdt_sources.append(self.source_2022(row["rdt_roles"][0]))
        # Tier 1: grantless operations listed on the Grantless Operations page without a row.
        grantless_src = self.sources.add(
            GRANTLESS_PAGE, self.rm_guides["retrieved"], "grantless-list"
        )
        for stem, op_id in GRANTLESS_EXTRA:
            self.ops[f"{stem}#{op_id}"].evidence.append(
                Evidence(
                    1,
                    grantless_src,
                    (),
                    grantless=True,
                    note="listed on the Grantless Operations page",
                )
            )
        # Tier 4: other statements naming a whole API.
        for stem, role, ref, date, kind, note in OTHER_API_WIDE:
            source = self.sources.add(ref, date, kind)
            for op in self.ops.values():
                if op.key.split("#")[0] == stem and op.in_models:
                    op.evidence.append(Evidence(4, source, (role,), note=note))
        # Inference: whole-API statements in role descriptions.
        for role, (stems, phrase) in sorted(SEED_API_WIDE.items()):
            if phrase not in self.roles[role]["description"]:
                raise SystemExit(f"roles page description of {role} no longer names {phrase!r}")
            for op in self.ops.values():
                if op.key.split("#")[0] in stems:
                    op.evidence.append(
                        Evidence(
                            INFERRED,
                            self.seed_source,
                            (role,),
                            note=f"the roles page's description of {role} names the {phrase}",
                        )
                    )
        # Inference: the rows the later research marks inferred, with what they rest on.
        research = self.sources.add(RESEARCH_NOTES, self.later["retrieved"], "research-note")
        for row in self.later["rows"]:
            if not row["inferred"] or row["type_kind"]:
                continue
            op = self.later_target(row)
            roles, _, _ = self.canonical_roles(row["roles"], op.key)
            note = f"research notes ({self.later['retrieved']}): {row['cited_as']}" + (
                f"; {row['note']}" if row["note"] else ""
            )
            cited = [self.sources.add(s["ref"], s["date"], s["kind"]) for s in row["sources"]]
            for source in cited + [research]:
                op.evidence.append(Evidence(INFERRED, source, roles, note=note, later=True))

    def later_target(self, row: dict) -> OpRecord:
        """The operation a row of the later research names (API name, version, operationId)."""
        found = [
            op
            for op in self.ops.values()
            if op.api == row["api"]
            and op.version.lstrip("v") == row["version"].lstrip("v")
            and op.operation_id == row["operation"]
        ]
        if len(found) != 1:
            raise SystemExit(
                f"row for {row['operation']} of {row['api']} {row['version']} names"
                f" {len(found)} operations"
            )
        return found[0]

    def seed_examples(self) -> List[Tuple[str, str, str]]:
        """(role, operation key, clause) for each operation example on the roles page."""
        names = {}
        for stem, (api, version) in self.api_names.items():
            names[f"{api} v{version.lstrip('v')}"] = stem
        out = []
        self.seed_type_examples: List[Tuple[str, str, str, str]] = []
        for role, examples in self.role_examples.items():
            for example in examples:
                op_id, api, version = example["operation"], example["api"], example["version"]
                clause = example["clause"]
                stem = names.get(f"{api} {version}")
                key = f"{stem}#{op_id}"
                if key not in self.ops:
                    # The page can name a wrong version: use the API version that has the operation.
                    others = sorted(
                        op.key
                        for op in self.ops.values()
                        if op.api == api and op.operation_id == op_id and op.in_models
                    )
                    if len(others) != 1:
                        raise SystemExit(
                            f"roles page example {op_id} of {api} {version} is not in the catalog"
                        )
                    key = others[0]
                    self.conflicts[
                        "Roles page examples that name a version without the operation"
                    ].append(
                        f"{role}: {op_id} of the {api} {version};"
                        f" the operation exists only as {key}, used there"
                    )
                out.append((role, key, f"{op_id} of the {api} {version} {clause}".strip()))
                for kind, name in self._types_in_clause(clause):
                    self.seed_type_examples.append((role, kind, name, key))
        return out

    @staticmethod
    def _types_in_clause(clause: str) -> List[Tuple[str, str]]:
        found = []
        for match in re.finditer(
            r"(?:request the|submit a|subscribe to|subscriptions to the)"
            r"\s*([A-Z][A-Z0-9_ ]*[A-Z0-9])\s*(report|feed|notification)",
            clause,
        ):
            found.append((match.group(2), match.group(1).replace(" ", "")))
        for title, (kind, name) in SEED_TYPE_TITLES.items():
            if title in clause:
                found.append((kind, name))
        return found

    def resolve_operations(self) -> None:
        self._mark_type_carriers()
        for op in self.ops.values():
            self._resolve_op(op)
        self.infer_roles()
        self._mark_restricted_data()

    # ---------------------------------------------------------------- inference
    def infer_roles(self) -> None:
        """Inferred roles for operations no source names the roles of; why not where none.

        Runs after the sourced facts are decided: the predecessor and API family rules rest only
        on facts of tiers 1-3. A type-carrying operation takes its roles from the type.
        """
        sourced = [
            op for op in self.ops.values()
            if op.tier in SOURCED_TIERS and op.roles and not op.type_carrier
        ]
        by_family: Dict[str, List[OpRecord]] = defaultdict(list)
        for op in sourced:
            by_family[op.key.split("#")[0]].append(op)
        by_resource: Dict[Tuple[str, str, str], List[OpRecord]] = defaultdict(list)
        for op in self.ops.values():
            by_resource[resource_key(op)].append(op)
        for op in sorted(self.ops.values(), key=lambda o: o.key):
            if op.tier < INFERRED or op.type_carrier:
                continue
            reasons = []
            for evidence, refusal in (
                predecessor_evidence(op, by_resource[resource_key(op)]),
                family_evidence(op, by_family[op.key.split("#")[0]]),
            ):
                op.evidence += evidence
                reasons.append(refusal)
            self._resolve_op(op)
            if op.tier == 9:
                op.notes.append(UNKNOWN_NOTE + "; ".join(r for r in reasons if r))
        for op in self.ops.values():
            if op.type_carrier and op.tier == 9:
                op.notes.append(
                    f"{UNKNOWN_NOTE}the {op.type_carrier} type argument decides the roles"
                )

    def _resolve_op(self, op: OpRecord) -> None:
        decision = decide(op.evidence)
        if decision is None:
            return
        op.grantless, roles, best, chosen, pool = decision
        grantless_ev = [e for e in chosen if e.grantless]
        earlier = decide([e for e in op.evidence if not e.later])
        if earlier is not None and earlier[:2] != decision[:2]:
            was = "grantless" if earlier[0] else ", ".join(earlier[1])
            now = "grantless" if op.grantless else ", ".join(roles)
            cited = ", ".join(sorted({e.source[0] for e in chosen if e.later}))
            self.conflicts["Facts changed by the rows found later (role-mappings-2026-12)"].append(
                f"{op.key}: was {was} ({TIER_CONFIDENCE[earlier[2]]},"
                f" {TIER_NAMES[earlier[2]]}); now {now} ({TIER_CONFIDENCE[best]},"
                f" {TIER_NAMES[best]}: {cited})"
            )
        op.roles = roles
        op.confidence = TIER_CONFIDENCE[best]
        op.tier = best
        op.role_sources = sorted({e.source for e in chosen})
        regions = sorted_regions_union(e.regions for e in chosen)
        op.regions = tuple(regions)
        limits: Dict[str, Set[str]] = defaultdict(set)
        for e in chosen:
            for role, regs in e.role_regions.items():
                limits[role].update(regs)
        op.role_regions = {
            r: tuple(sort_regions(v))
            for r, v in limits.items()
            if r in roles and set(v) != set(regions or REGIONS)
        }
        rejected = sorted({r for e in op.evidence if e not in chosen for r in e.roles} - set(roles))
        if rejected:
            lower = sorted(
                {
                    TIER_NAMES[e.tier]
                    for e in op.evidence
                    if e not in chosen and set(e.roles) - set(roles)
                }
            )
            basis = "grantless" if op.grantless else TIER_NAMES[best]
            self.conflicts["Roles named by a lower-precedence source (not adopted)"].append(
                f"{op.key}: {basis} decides; {', '.join(lower)} also name {', '.join(rejected)}"
            )
            op.notes.append(f"not adopted (lower-precedence sources): {', '.join(rejected)}")
        if op.grantless and not [e for e in pool if e.grantless and e.tier == 1]:
            op.notes.append(
                "grantless per " + "; ".join(sorted({e.note or e.source[0] for e in grantless_ev}))
            )

    def _mark_type_carriers(self) -> None:
        table = {op_id: (kind, arg) for ids, kind, arg in TYPE_CARRIERS for op_id in ids}
        for op in self.ops.values():
            hit = table.get(op.operation_id)
            if hit and op.key.startswith(TYPE_CARRIER_STEMS):
                op.type_carrier, op.type_argument = hit
            else:
                op.type_carrier, op.type_argument = None, None

    def _mark_restricted_data(self) -> None:
        guide_src = self.sources.add(TOKENS_GUIDE, self.rm_guides["retrieved"], "guide")
        for stems, op_ids in RDT_FROM_TOKENS_GUIDE:
            for op in self.ops.values():
                if op.key.split("#")[0] in stems and op.operation_id in op_ids:
                    op.rdt_sources.append(guide_src)
        for op in self.ops.values():
            if op.operation_id in RDT_CONDITIONAL and op.rdt_sources:
                op.notes.append(RDT_CONDITIONAL[op.operation_id])
                op.sources.extend(op.rdt_sources)
                continue
            if op.rdt_sources:
                op.restricted_data = True
                op.sources.extend(op.rdt_sources)

    # ---------------------------------------------------------------- types
    def build_types(self) -> None:
        self.types: Dict[Tuple[str, str], dict] = {}
        sids = self.rm_types["sources"]
        kinds = {"reports": "report", "feeds": "feed", "notifications": "notification"}
        for section, kind in kinds.items():
            for row in self.rm_types[section]:
                self._type_from_row(kind, row, sids)
            for row in self.rm_types["known_types_without_mapping"].get(section, []):
                if row["type"] in TYPE_ALIASES:
                    continue
                entry = self._type_entry(kind, row["type"])
                entry["notes"].append(row["note"])
                entry["sources"].add(
                    self.sources.add(
                        self.rm_types["source"], self.rm_types["retrieved"], "role-mappings-table"
                    )
                )
        # The type rows found later: an inference with no roles ("not role-gated") is kept as a
        # note; the roles stay unknown, as no source names any.
        for row in self.later["rows"]:
            if not row["type_kind"]:
                continue
            entry = self.types.get((row["type_kind"], row["operation"]))
            if entry is None or row["roles"]:
                raise SystemExit(f"type row {row['operation']}: unknown type, or roles to adopt")
            entry["sources"].update(
                self.sources.add(s["ref"], s["date"], s["kind"]) for s in row["sources"]
            )
            entry["notes"].append(
                f"research notes ({self.later['retrieved']}, {row['strength']}"
                f"{', inferred' if row['inferred'] else ''}): {row['note']}"
            )
        # 2022 type lists: every type must already be there (the types file inverts them).
        sections = {"Reports": "report", "Feeds": "feed", "Notifications": "notification"}
        for row in self.r2022_ops["types"]:
            kind = sections[row["section"]]
            name = TYPE_ALIASES.get(row["type"], row["type"])
            entry = self._type_entry(kind, name)
            if row["type"] != name:
                entry["aliases"].add(row["type"])
            entry["sources"].update(self.source_2022(r) for r in row["roles"])
            roles, _, _ = self.canonical_roles(row["roles"], f"{kind} {name}")
            if not entry["roles"] and roles:
                entry.update(roles=roles, confidence="low", tier=3)
        # Client enums.
        enums = self.clients["python-amazon-sp-api"]
        enum_src = self.sources.add(
            f"pypi:{enums['package']}=={enums['version']}", "", "client-table"
        )
        enum_kinds = {
            "ReportType": "report",
            "FeedType": "feed",
            "NotificationType": "notification",
        }
        for enum_name, enum in sorted(enums["type_enums"].items()):
            kind = enum_kinds[enum_name.rsplit(".", 1)[1]]
            for member in enum["members"]:
                if (kind, member) in MISFILED_ENUM_MEMBERS:
                    continue
                name = TYPE_ALIASES.get(member, member)
                entry = self._type_entry(kind, name)
                if member != name:
                    entry["aliases"].add(member)
                entry["sources"].add(enum_src)
        # Roles page type examples (tier 2).
        for role, kind, name, op_key in self.seed_type_examples:
            entry = self.types.get((kind, name))
            if entry is None:
                raise SystemExit(f"roles page example type {kind} {name} is unknown")
            entry["sources"].add(self.seed_source)
            if role not in entry["roles"]:
                if entry.get("tier") == 1:
                    self.conflicts["Roles named by a lower-precedence source (not adopted)"].append(
                        f"{kind} {name}: current role table decides;"
                        f" roles page example names {role}"
                    )
                else:
                    entry["roles"] = tuple(sorted(set(entry["roles"]) | {role}))
                    entry["notes"].append(f"roles page example adds {role}")
                    if entry["tier"] > 2:
                        entry.update(tier=2, confidence="medium")
        for (kind, name), entry in self.types.items():
            if name.startswith(("GET_", "POST_")):
                entry["aliases"].add(f"_{name}_")

    def _type_entry(self, kind: str, name: str) -> dict:
        return self.types.setdefault(
            (kind, name),
            {
                "kind": kind,
                "name": name,
                "aliases": set(),
                "roles": (),
                "regions": (),
                "role_regions": {},
                "restricted": False,
                "deprecated": False,
                "possibly_retired": False,
                "availability": None,
                "sources": set(),
                "confidence": "unknown",
                "tier": 9,
                "notes": [],
            },
        )

    def _type_from_row(self, kind: str, row: dict, sids: dict) -> None:
        entry = self._type_entry(kind, row["type"])
        where = f"{kind} {row['type']}"
        by_tier: Dict[int, Set[str]] = defaultdict(set)
        for ev in row["evidence"]:
            sid = ev["source"]
            url = ev.get("url") or sids[sid].get("url") or "third-party research note (unnamed)"
            tier, kind_name = TYPE_SOURCE_TIERS[sid]
            if sid == "S1" and row["uncertain"]:
                tier = 2  # the row is cut off on the types page: a lower bound
            as_of = re.search(r"\d{4}-\d{2}-\d{2}", sids[sid].get("as_of") or "")
            date = as_of.group(0) if as_of else self.rm_types["retrieved"]
            entry["sources"].add(self.sources.add(url, date, kind_name))
            if tier < 5:  # the third-party summary abbreviates names; its roles are in row["roles"]
                names = [n for n in ev.get("roles_as_written", []) if "truncated" not in n]
                by_tier[tier].update(self.canonical_roles(names, where)[0])
            else:
                by_tier[tier]
        file_roles = set(self.canonical_roles(row["roles"], where)[0])
        best = min(by_tier) if by_tier else 9
        amazon = set().union(*(roles for tier, roles in by_tier.items() if tier < 5))
        if best == 1:
            roles = by_tier[1]
        else:
            roles = amazon or file_roles
        rejected = sorted((file_roles | amazon) - roles)
        if rejected:
            basis = "the types page row decides" if best == 1 else "Amazon sources decide"
            self.conflicts["Roles named by a lower-precedence source (not adopted)"].append(
                f"{where}: {basis}; other sources also name {', '.join(rejected)}"
            )
            entry["notes"].append(f"not adopted (lower-precedence source): {', '.join(rejected)}")
        roles = tuple(sorted(roles))
        if "DISAGREE" in (row.get("reason") or "") or "differ" in row["confidence"]:
            self.conflicts["Amazon sources disagree on a type (union of lower bounds kept)"].append(
                f"{kind} {row['type']}: {row['reason']}"
            )
        confidence = TIER_CONFIDENCE.get(best, "unknown")
        if best == 2 and row["confidence"].startswith("high"):
            confidence = "high"  # current type page and Amazon's 2022 data agree
        entry.update(
            roles=roles,
            regions=tuple(sort_regions(row.get("regions") or [])),
            role_regions={
                self.role_by_key[role_key(r)]: tuple(sort_regions(v))
                for r, v in (row.get("role_region_limits") or {}).items()
            },
            restricted=bool(row.get("restricted_report_rdt")),
            deprecated=bool(row.get("deprecation")),
            possibly_retired=bool(row.get("possibly_retired")),
            availability=row.get("availability"),
            confidence=confidence if roles else "unknown",
            tier=best,
        )
        if row.get("deprecation"):
            entry["notes"].append(f"deprecation: {row['deprecation']}")
        if row.get("restricted_basis"):
            entry["notes"].append(
                "restricted report (RDT for getReportDocument): "
                + row["restricted_basis"].strip(" ;")
            )
        if row.get("note"):
            entry["notes"].append(row["note"])

    # ---------------------------------------------------------------- output
    def document(self) -> dict:
        table = self.sources.table()
        index = {item: i for i, item in enumerate(table)}
        roles = []
        for name in sorted(self.roles):
            info = self.roles[name]
            roles.append(
                {
                    "name": name,
                    "aliases": sorted(info["aliases"]),
                    "restricted": info["restricted"],
                    "sellers": info["sellers"],
                    "vendors": info["vendors"],
                    "description": info["description"],
                    "sources": sorted(
                        {index[s] for s in info["sources"]}
                        | {index[s] for s in info["aliases"].values()}
                    ),
                }
            )
        mentioned = []
        for name in sorted(self.mentioned):
            note, may_mean = MENTIONED_ROLE_NOTES[name]
            mentioned.append(
                {
                    "name": name,
                    "note": note,
                    "may_mean": may_mean,
                    "sources": sorted(index[s] for s in self.mentioned[name]["sources"]),
                }
            )
        operations = []
        for key in sorted(self.ops):
            op = self.ops[key]
            sources = sorted({index[s] for s in op.sources} | {index[s] for s in op.role_sources})
            evidence = sorted(
                {(index[e.source], e.tier, e.roles, e.grantless, e.note) for e in op.evidence}
            )
            operations.append(
                [
                    op.key,
                    op.api,
                    op.version,
                    op.operation_id,
                    op.method,
                    op.path,
                    list(op.roles),
                    op.grantless,
                    op.restricted_data,
                    op.deprecated,
                    op.retired,
                    op.type_carrier,
                    op.type_argument,
                    list(op.regions),
                    {r: list(v) for r, v in sorted(op.role_regions.items())},
                    sources,
                    op.confidence,
                    op.in_models,
                    sorted(set(op.notes)),
                    [[s, t, list(r), g, note] for s, t, r, g, note in evidence],
                ]
            )
        types = []
        for kind, name in sorted(self.types):
            t = self.types[(kind, name)]
            types.append(
                [
                    kind,
                    name,
                    sorted(t["aliases"]),
                    list(t["roles"]),
                    list(t["regions"]),
                    {r: list(v) for r, v in sorted(t["role_regions"].items())},
                    t["restricted"],
                    t["deprecated"],
                    t["possibly_retired"],
                    t["availability"],
                    sorted(index[s] for s in t["sources"]),
                    t["confidence"],
                    sorted(set(t["notes"])),
                ]
            )
        body = {
            "schema": SCHEMA_VERSION,
            "generated_from": {
                "models": f"{MODELS_REPO}@{self.models_commit} ({self.models_date})",
                "role_mappings_retrieved": self.rm_ops["retrieved"],
                "roles_2022": (
                    f"amzn/selling-partner-api-docs@{self.commit_2022} ({self.date_2022})"
                ),
            },
            "sources": [list(s) for s in table],
            "roles": roles,
            "mentioned_roles": mentioned,
            "operation_fields": OPERATION_FIELDS,
            "operations": operations,
            "type_fields": TYPE_FIELDS,
            "types": types,
        }
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode("utf-8")).hexdigest()[:16]
        body["data_version"] = digest
        return body

    def conflicts_report(self) -> str:
        out = [
            "# Knowledge-base conflicts and how they were resolved",
            "",
            "Generated by `tools/build_kb.py` from `tools/kb_inputs/`; do not edit.",
            "Precedence: current role tables (complete lists) > current guides, tutorials and the",
            "roles page's examples > Amazon's 2022 role lists > an Amazon statement naming a whole",
            "API > third-party material (only when no Amazon source says anything) > inference",
            "(only when no source names a role). Lower-bound sources (everything but the role",
            "tables) are merged when no role table row exists.",
            "",
        ]
        for title in sorted(self.conflicts):
            items = sorted(set(self.conflicts[title]))
            out += [f"## {title} ({len(items)})", ""] + [f"- {item}" for item in items] + [""]
        out += [
            f"## Client paths not placed as operations ({len(self.unplaced_client_paths)})",
            "",
            "Paths that clients send but that match no model operation, no retired operation with",
            "a known operationId and no newer API; usually a client bug (wrong version segment).",
            "",
        ]
        out += [f"- {item}" for item in self.unplaced_client_paths] + [""]
        return "\n".join(out)


def sorted_regions_union(groups: Iterable[Sequence[str]]) -> List[str]:
    found: Set[str] = set()
    for group in groups:
        found.update(group)
    return sort_regions(found)


def compact(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def render(doc: dict) -> str:
    """JSON with one operation / type per line: compact to load, readable in a diff."""
    row_lists = ("operations", "types", "sources", "roles", "mentioned_roles")
    parts = []
    for key in sorted(doc):
        value = doc[key]
        if key in row_lists and value:
            rows = ",\n".join(compact(item) for item in value)
            parts.append(f"{json.dumps(key)}:[\n{rows}\n]")
        else:
            parts.append(f"{json.dumps(key)}:{compact(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def build(inputs: str = INPUTS) -> Tuple[str, str]:
    builder = Builder(inputs)
    builder.build_roles()
    builder.build_operations()
    builder.gather_role_evidence()
    builder.resolve_operations()
    builder.build_types()
    return render(builder.document()), builder.conflicts_report()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="compare with the committed files, write nothing"
    )
    args = parser.parse_args(argv)
    kb_text, conflicts_text = build()
    outputs = ((OUT_KB, kb_text), (OUT_CONFLICTS, conflicts_text))
    if args.check:
        stale = [
            path
            for path, text in outputs
            if not os.path.exists(path) or open(path, encoding="utf-8").read() != text
        ]
        for path in stale:
            print(f"build_kb: {os.path.relpath(path, REPO_ROOT)} is out of date", file=sys.stderr)
        return 1 if stale else 0
    for path, text in outputs:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
