"""Generate ``src/spapi_roles/data/clients.json``: the client surfaces the engine resolves.

Input: the method -> operation tables of the four Python SP-API clients in
``tools/kb_inputs/clients/*.json`` (static readings of the installed packages, extracted from the
SP-API reference data by ``tools/extract_inputs.py``; the reference data's ``notes/clients.md``
describes them). Output: one compact, deterministic JSON file the installed package reads at run
time:

- ``operations``: ``[operation_id, model stem, HTTP method, path]`` rows, referenced by index;
  the engine maps them to knowledge-base keys (``<stem>#<operationId>``, else by method and path).
- ``classes``: every client class by qualified name, with its methods -> operation indexes.
- ``names``: qualified names (exports, defining modules, documented aliases) -> entity.
- ``dispatch`` / ``version_enums``: python-amazon-sp-api 2.x ``version=`` dispatch and its enums.
- ``type_enums``: ReportType / FeedType / NotificationType members per package.
- ``roots``: client objects whose attributes return API clients (amzn-selling-partner,
  amazon-sp-api-clients, amzn-sp-api's SPAPIClient).
- ``carriers``: where each client passes the report / feed / notification type (clients.md 1.5,
  2, 3, 4), ``legacy``: python-amazon-sp-api 1.x methods absent from 2.x.

The hand-written facts below (``CARRIERS``, ``EXTRA_NAMES``, ``HELPERS``, ``PACKAGES``) are each
taken from ``notes/clients.md`` (section named beside them); everything else is mechanical.
Usage: ``python tools/build_clients.py [--check]`` (``--check`` exits 1 if the file is stale).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Dict, List, Optional, Tuple

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INPUT_CLIENTS = os.path.join(REPO, "tools", "kb_inputs", "clients")
OUTPUT = os.path.join(REPO, "src", "spapi_roles", "data", "clients.json")
FORMAT = 1

# package import name -> table file, plus the namespaces (qualified-name prefixes) it owns.
PACKAGES = {
    "sp_api": {"file": "python-amazon-sp-api.json", "namespaces": ["sp_api"]},
    "spapi": {"file": "amzn-sp-api.json", "namespaces": ["spapi", "swagger_client"]},
    "amzn_selling_partner": {
        "file": "amzn-selling-partner.json",
        "namespaces": ["amzn_selling_partner"],
    },
    "amazon_sp_api_clients": {
        "file": "amazon-sp-api-clients.json",
        "namespaces": ["amazon_sp_api_clients"],
    },
}

# Where the type travels, per package and operationId (clients.md 1.5, 2, 3, 4).
# "kind": report / feed / notification; "args": positions / keywords that carry the type (a
# string or a list of strings);
# "bodies": positions / keywords that carry a request body (dict or model) whose "keys" carry it.
_R, _F, _N = "report", "feed", "notification"
_SP_API_REPORT = {"kind": _R, "args": ["reportType", "report_type"]}
_SP_API_REPORTS = {"kind": _R, "args": ["reportTypes", "report_types"]}
_SP_API_NOTIFICATION = {"kind": _N, "args": [0, "notification_type", "notificationType"]}
_BODY_REPORT = {"kind": _R, "bodies": [0, "body"], "keys": ["reportType", "report_type"]}
_BODY_FEED = {"kind": _F, "bodies": [0, "body"], "keys": ["feedType", "feed_type"]}
CARRIERS = {
    "sp_api": {  # clients.md 1.5: keyword arguments become the body
        "createReport": _SP_API_REPORT,
        "createReportSchedule": _SP_API_REPORT,
        "getReports": _SP_API_REPORTS,
        "getReportSchedules": _SP_API_REPORTS,
        "createFeed": {"kind": _F, "args": [0, "feed_type", "feedType"]},
        "getFeeds": {"kind": _F, "args": ["feedTypes", "feed_types"]},
        "createSubscription": _SP_API_NOTIFICATION,
        "getSubscription": _SP_API_NOTIFICATION,
        "deleteSubscriptionById": _SP_API_NOTIFICATION,
        "getSubscriptionById": _SP_API_NOTIFICATION,
    },
    "spapi": {  # clients.md 2 and 2a: models or dict bodies; swapped orders in older generations
        "createReport": _BODY_REPORT,
        "createReportSchedule": _BODY_REPORT,
        "getReports": {"kind": _R, "args": ["report_types", "reportTypes"]},
        "getReportSchedules": {"kind": _R, "args": [0, "report_types", "reportTypes"]},
        "createFeed": _BODY_FEED,
        "getFeeds": {"kind": _F, "args": ["feed_types", "feedTypes"]},
        "createSubscription": {"kind": _N, "args": [0, 1, "notification_type"]},
        "getSubscription": {"kind": _N, "args": [0, "notification_type"]},
        "getSubscriptionById": {"kind": _N, "args": [1, "notification_type"]},
        "deleteSubscriptionById": {"kind": _N, "args": [1, "notification_type"]},
    },
    "amzn_selling_partner": {  # clients.md 3
        "createReport": _BODY_REPORT,
        "createReportSchedule": _BODY_REPORT,
        "getReports": {"kind": _R, "args": ["report_types"]},
        "getReportSchedules": {"kind": _R, "args": [0, "report_types"]},
        "createFeed": _BODY_FEED,
        "getFeeds": {"kind": _F, "args": ["feed_types"]},
        "createSubscription": {"kind": _N, "args": [0, "notification_type"]},
        "getSubscription": {"kind": _N, "args": [0, "notification_type"]},
        "getSubscriptionById": {"kind": _N, "args": [0, 1, "notification_type"]},
        "deleteSubscriptionById": {"kind": _N, "args": [0, 1, "notification_type"]},
    },
    "amazon_sp_api_clients": {  # clients.md 4: argument ``data``, notificationType after it
        "createReport": {"kind": _R, "bodies": [0, "data"], "keys": ["reportType"]},
        "createReportSchedule": {"kind": _R, "bodies": [0, "data"], "keys": ["reportType"]},
        "getReports": {"kind": _R, "args": ["reportTypes"]},
        "getReportSchedules": {"kind": _R, "args": ["reportTypes"]},
        "createFeed": {"kind": _F, "bodies": [0, "data"], "keys": ["feedType"]},
        "getFeeds": {"kind": _F, "args": ["feedTypes"]},
        "createSubscription": {"kind": _N, "args": [1, "notificationType"]},
        "getSubscription": {"kind": _N, "args": [0, "notificationType"]},
        "getSubscriptionById": {"kind": _N, "args": [1, "notificationType"]},
        "deleteSubscriptionById": {"kind": _N, "args": [1, "notificationType"]},
    },
}

# Documented names the tables do not list (clients.md section in the comment).
EXTRA_NAMES = {
    "sp_api.base.FeedTypes": "sp_api.base.FeedType",  # 1.1: FeedTypes = FeedType
    "sp_api.base.sp_endpoint": "sp_api.base.sp_endpoint",  # 1.4 / 1.7: endpoint decorator
    "sp_api.base.helpers.sp_endpoint": "sp_api.base.sp_endpoint",
}

# Objects whose attributes are API clients, and helpers (clients.md 2, 3, 4).
ROOT_NAMES = {
    "amzn_selling_partner": {
        "amzn_selling_partner.SellingPartner": False,
        "amzn_selling_partner.AsyncSellingPartner": True,
        "amzn_selling_partner.sdk.client.Client": False,
    },
    "amazon_sp_api_clients": {"amazon_sp_api_clients.AmazonSpApiClients": False},
    "spapi": {"spapi.SPAPIClient": False},
}
ROOT_OPAQUE_ATTRIBUTES = {
    "spapi.SPAPIClient": ["api_client"]
}  # clients.md 2: SPAPIClient(...).api_client
# clients.md 3: client.documents.create_feed(feed_type, ...) = createFeedDocument + createFeed,
# get_report_document / download_report = getReportDocument.
HELPERS = {
    "amzn_selling_partner": {
        "attribute": "documents",
        "class": "amzn_selling_partner.documents",
        "methods": {
            "create_feed": [
                ("createFeedDocument", "POST", "/feeds/2021-06-30/documents"),
                ("createFeed", "POST", "/feeds/2021-06-30/feeds"),
            ],
            "get_report_document": [
                ("getReportDocument", "GET", "/reports/2021-06-30/documents/{reportDocumentId}")
            ],
            "download_report": [
                ("getReportDocument", "GET", "/reports/2021-06-30/documents/{reportDocumentId}")
            ],
        },
        "carriers": {
            "createFeed": {"kind": _F, "args": [0, "feed_type"]},
            "getReportDocument": {"kind": _R, "args": ["report_type"]},
        },
    },
}
# clients.md 2a: SPAPIClient(config).get_api_client("OrdersV0Api") names an amzn-sp-api class.
CLASS_BY_NAME_METHODS = {"spapi": ["get_api_client"]}
# Restricted Data Tokens requested by the client itself. clients.md 1.6: RestrictedResources= on
# the methods flagged rdt_auto (snake_case spelling seen in real code); clients.md 3:
# request_options=with_rdt(...) on any method. "helpers": the call the keyword's value must be.
RDT = {
    "sp_api": {
        "keywords": ["RestrictedResources", "restricted_resources"],
        "any_method": False,
        "helpers": [],
    },
    "amzn_selling_partner": {
        "keywords": ["request_options"],
        "any_method": True,
        "helpers": ["amzn_selling_partner.plugins.amazon_spapi.with_rdt", "RequestOptions"],
    },
}
TYPE_KINDS = {"ReportType": "report", "FeedType": "feed", "NotificationType": "notification"}


def model_stem(model_file: Optional[str]) -> str:
    return os.path.splitext(os.path.basename(model_file))[0] if model_file else ""


class Builder:
    """Accumulates the output tables; operation rows are deduplicated."""

    def __init__(self) -> None:
        self.operations: List[Tuple[str, str, str, str]] = []
        self._op_index: Dict[Tuple[str, str, str, str], int] = {}
        self.classes: Dict[str, dict] = {}
        self.names: Dict[str, List[str]] = {}

    def op(self, operation_id: str, model_file: Optional[str], method: str, path: str) -> int:
        row = (operation_id or "", model_stem(model_file), method.upper(), path)
        if row not in self._op_index:
            self._op_index[row] = len(self.operations)
            self.operations.append(row)
        return self._op_index[row]

    def add_method(
        self,
        class_id: str,
        package: str,
        method: str,
        op: int,
        flags: Dict[str, bool],
        is_async: bool = False,
    ) -> None:
        cls = self.classes.setdefault(
            class_id, {"package": package, "async": is_async, "methods": {}}
        )
        entry = cls["methods"].setdefault(method, {"ops": []})
        if op not in entry["ops"]:
            entry["ops"].append(op)
        for flag, value in flags.items():
            if value:
                entry[flag] = True

    def name(self, qualified: str, kind: str, target: str) -> None:
        self.names.setdefault(qualified, [kind, target])


def entry_op(builder: Builder, entry: dict) -> int:
    """The operation a client table row reaches (the version-fixed one for sp_api path bugs)."""
    if entry.get("unmatched_path") and entry.get("operation_id_if_version_fixed"):
        return builder.op(
            entry["operation_id_if_version_fixed"],
            entry.get("model_file_if_version_fixed"),
            entry["http_method"],
            entry.get("path_if_version_fixed") or entry["path"],
        )
    return builder.op(
        entry.get("operation_id", ""), entry.get("model_file"), entry["http_method"], entry["path"]
    )


def build_sp_api(builder: Builder, table: dict, legacy: Dict[str, dict]) -> dict:
    for entry in table["entries"]:
        class_id = f"{entry['module']}.{entry['class']}"
        flags = {
            "rdt_auto": entry.get("rdt_auto", False),
            "grantless": entry.get("grantless", False),
            "deprecated": entry.get("deprecated", False),
        }
        builder.add_method(
            class_id,
            "sp_api",
            entry["method"],
            entry_op(builder, entry),
            flags,
            bool(entry.get("async")),
        )
    dispatch = {}
    for front, spec in sorted(table["version_dispatch"].items()):
        prefix = "sp_api.asyncio.api." if front.startswith("sp_api.asyncio.") else "sp_api.api."
        versions = {}
        for version, class_name in sorted(spec["version_map"].items()):
            target = table["exports"].get(prefix + class_name)
            if target in builder.classes:
                versions[version] = target
        dispatch[front] = {
            "default": spec["default_version"],
            "versions": versions,
            "aliases": dict(sorted(spec["aliases"].items())),
        }
    for exported, target in sorted(table["exports"].items()):
        builder.name(exported, entity_kind(builder, target, dispatch, table), target)
    for target in list(builder.classes) + list(dispatch) + list(table["version_enums"]):
        builder.name(target, entity_kind(builder, target, dispatch, table), target)
    type_enums = {}
    for enum_id, spec in sorted(table["type_enums"].items()):
        kind = TYPE_KINDS[enum_id.rsplit(".", 1)[1]]
        members = (
            {m: m for m in spec["members"]}
            if spec.get("members_equal_values")
            else dict(spec["members"])
        )
        type_enums[enum_id] = {"kind": kind, "members": dict(sorted(members.items()))}
        builder.name(enum_id, "type_enum", enum_id)
        builder.name(f"{spec['defined_in']}.{enum_id.rsplit('.', 1)[1]}", "type_enum", enum_id)
    for alias, target in EXTRA_NAMES.items():
        builder.name(alias, "type_enum" if target in type_enums else "decorator", target)
    return {
        "dispatch": dispatch,
        "version_enums": {
            k: dict(sorted(v.items())) for k, v in sorted(table["version_enums"].items())
        },
        "type_enums": type_enums,
        "legacy": build_legacy(builder, legacy),
    }


def entity_kind(builder: Builder, target: str, dispatch: dict, table: dict) -> str:
    if target in dispatch:
        return "dispatch"
    if target in table["version_enums"]:
        return "version_enum"
    return "class" if target in builder.classes else "other"


def build_legacy(builder: Builder, legacy: Dict[str, dict]) -> dict:
    """python-amazon-sp-api 1.x / 0.x methods by class name: ``[[version or "", op], ...]``.

    Only methods the 2.x class of the same name (or its dispatched versions) lacks matter; the
    engine consults this table after the 2.x one.
    """
    out: Dict[str, Dict[str, List[List]]] = {}
    for release in sorted(legacy, reverse=True):
        for entry in legacy[release]["entries"]:
            rows: List[List] = []
            by_version = entry.get("operation_id_by_version")
            if by_version:
                for version, target in sorted(by_version.items()):
                    path = entry["path"].replace("<version>", version)
                    rows.append(
                        [
                            version,
                            builder.op(
                                target["operation_id"],
                                target.get("model_file"),
                                entry["http_method"],
                                path,
                            ),
                        ]
                    )
            elif "<version>" not in entry["path"]:
                rows.append(["", entry_op(builder, entry)])
            methods = out.setdefault(entry["class"], {})
            if entry["method"] not in methods and rows:
                methods[entry["method"]] = rows
    return {name: dict(sorted(methods.items())) for name, methods in sorted(out.items())}


def build_spapi(builder: Builder, table: dict) -> None:
    for entry in table["entries"]:
        class_id = f"{entry['module']}.{entry['class']}"
        op = entry_op(builder, entry)
        builder.add_method(class_id, "spapi", entry["method"], op, {})
        if entry.get("also_callable_as"):
            builder.add_method(class_id, "spapi", entry["also_callable_as"], op, {})
    shadowed = {item["name"]: item["wins"] for item in table.get("shadowed_exports", ())}
    for exported, target in sorted(table["exports"].items()):
        builder.name(exported, "class", shadowed.get(exported, target))
    for class_id in sorted(c for c, spec in builder.classes.items() if spec["package"] == "spapi"):
        builder.name(class_id, "class", class_id)


def build_selling_partner(builder: Builder, table: dict) -> Dict[str, Dict[str, str]]:
    """Resource classes (sync and async) and the client attribute names reaching them."""
    attributes: Dict[bool, Dict[str, str]] = {False: {}, True: {}}
    for entry in table["entries"]:
        op = entry_op(builder, entry)
        for is_async, class_name in ((False, entry["class"]), (True, entry["async_class"])):
            class_id = f"{entry['module']}.{class_name}"
            for method in filter(None, (entry["method"], entry.get("paginated_helper"))):
                builder.add_method(class_id, "amzn_selling_partner", method, op, {}, is_async)
            builder.name(class_id, "class", class_id)
            for attribute in entry["client_attributes"]:
                attributes[is_async][attribute] = class_id
    return {
        "sync": dict(sorted(attributes[False].items())),
        "async": dict(sorted(attributes[True].items())),
    }


def build_sp_api_clients(builder: Builder, table: dict) -> Dict[str, str]:
    attributes = {}
    for entry in table["entries"]:
        class_id = f"{entry['module']}.{entry['class']}"
        op = entry_op(builder, entry)
        builder.add_method(class_id, "amazon_sp_api_clients", entry["method"], op, {})
        builder.name(class_id, "class", class_id)
        builder.name(f"amazon_sp_api_clients.{entry['class']}", "class", class_id)
        attributes[entry["client_attribute"]] = class_id
    return dict(sorted(attributes.items()))


def build_roots(
    builder: Builder, selling_partner: Dict[str, Dict[str, str]], sp_api_clients: Dict[str, str]
) -> dict:
    roots = {}
    for package, names in ROOT_NAMES.items():
        for root_id, is_async in names.items():
            if package == "amzn_selling_partner":
                attributes = dict(selling_partner["async" if is_async else "sync"])
            elif package == "amazon_sp_api_clients":
                attributes = dict(sp_api_clients)
            else:
                attributes = {}
            helper = HELPERS.get(package)
            if helper:
                attributes[helper["attribute"]] = helper["class"]
            roots[root_id] = {
                "package": package,
                "attributes": dict(sorted(attributes.items())),
                "opaque": ROOT_OPAQUE_ATTRIBUTES.get(root_id, []),
            }
            builder.name(root_id, "root", root_id)
    for package, helper in HELPERS.items():
        for method, ops in helper["methods"].items():
            for operation_id, http_method, path in ops:
                builder.add_method(
                    helper["class"],
                    package,
                    method,
                    builder.op(operation_id, None, http_method, path),
                    {},
                )
    return roots


def carriers() -> dict:
    out = {
        package: {op: dict(spec) for op, spec in sorted(specs.items())}
        for package, specs in CARRIERS.items()
    }
    for package, helper in HELPERS.items():
        for op, spec in helper["carriers"].items():
            out[package].setdefault(op, spec)
    return {package: dict(sorted(specs.items())) for package, specs in sorted(out.items())}


def build(inputs: str = INPUT_CLIENTS) -> dict:
    tables = {}
    sources = []
    for package, spec in PACKAGES.items():
        with open(os.path.join(inputs, spec["file"]), encoding="utf-8") as handle:
            tables[package] = json.load(handle)
        sources.append(
            {
                "package": tables[package]["package"],
                "import_name": package,
                "version": tables[package]["version"],
                # the full table the input was extracted from (reference data path, hash)
                "file": tables[package]["read_from"]["file"],
                "sha256": tables[package]["read_from"]["sha256"],
            }
        )
    builder = Builder()
    sp_api_parts = build_sp_api(
        builder, tables["sp_api"], tables["sp_api"].get("legacy_versions", {})
    )
    build_spapi(builder, tables["spapi"])
    selling_partner = build_selling_partner(builder, tables["amzn_selling_partner"])
    sp_api_clients = build_sp_api_clients(builder, tables["amazon_sp_api_clients"])
    roots = build_roots(builder, selling_partner, sp_api_clients)
    classes = {}
    for class_id, spec in sorted(builder.classes.items()):
        methods = {
            name: builder.classes[class_id]["methods"][name] for name in sorted(spec["methods"])
        }
        classes[class_id] = {"package": spec["package"], "async": spec["async"], "methods": methods}
    return {
        "format": FORMAT,
        "generator": "tools/build_clients.py",
        "sources": sources,
        "packages": {
            name: {
                "namespaces": spec["namespaces"],
                "class_by_name_methods": CLASS_BY_NAME_METHODS.get(name, []),
                "rdt": RDT.get(name, {"keywords": [], "any_method": False, "helpers": []}),
            }
            for name, spec in PACKAGES.items()
        },
        "operations": [list(row) for row in builder.operations],
        "classes": classes,
        "names": dict(sorted(builder.names.items())),
        "dispatch": sp_api_parts["dispatch"],
        "version_enums": sp_api_parts["version_enums"],
        "type_enums": sp_api_parts["type_enums"],
        "roots": dict(sorted(roots.items())),
        "carriers": carriers(),
        "legacy": {"sp_api": sp_api_parts["legacy"]},
    }


def render(data: dict) -> str:
    return (
        json.dumps(data, indent=0, sort_keys=False, ensure_ascii=True, separators=(",", ":")) + "\n"
    )


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the committed file is stale"
    )
    args = parser.parse_args(argv)
    text = render(build())
    if args.check:
        with open(OUTPUT, encoding="utf-8") as handle:
            if handle.read() != text:
                print(f"{OUTPUT} is stale; run tools/build_clients.py", file=sys.stderr)
                return 1
        return 0
    with open(OUTPUT, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
