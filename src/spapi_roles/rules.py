"""The SPR codes: one table holding each code's message template, default, level and documentation.

Messages are data (bugbear style): checks fill a template with ``Rule.format(**fields)``.
Documentation follows ruff's sections and feeds ``spapi-roles explain``, the SARIF rule help
and the README's codes table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, Optional, Sequence, Tuple

LEVEL_ERROR = "error"
LEVEL_WARNING = "warning"
LEVEL_NOTE = "note"

SCOPE_FILE = "file"          # decided from one file's uses and its manifest (flake8, CLI, per-file hook)
SCOPE_PROJECT = "project"    # needs every file of a manifest's project (CLI over a directory, project hook)
SCOPE_MANIFEST = "manifest"  # about the manifest itself; reported at a manifest line (CLI only)

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Fix")


@dataclass(frozen=True)
class Rule:
    """One diagnostic code: how it reads, whether it runs by default, and its documentation."""

    code: str
    name: str
    summary: str
    default_on: bool
    level: str
    scope: str
    message: str
    what: str
    why: str
    example: str
    fix: str
    known_problems: str = ""
    options: str = ""

    def format(self, **fields: object) -> str:
        """The message for one finding (without the code)."""
        return self.message.format(**fields)

    def doc(self) -> str:
        """The ruff-style documentation printed by ``spapi-roles explain``."""
        default = "on" if self.default_on else "off (enable with `--extend-select " + self.code + "`)"
        parts = [
            f"{self.code} ({self.name}): {self.summary}",
            "",
            f"Default: {default}. Level: {self.level}. Scope: {SCOPE_TEXT[self.scope]}.",
            "",
            f"Message: {self.code} {self.message}",
        ]
        sections = [
            ("What it does", self.what),
            ("Why is this bad?", self.why),
            ("Known problems", self.known_problems),
            ("Example", self.example),
            ("Fix", self.fix),
            ("Options", self.options),
        ]
        for title, text in sections:
            if text:
                parts += ["", f"## {title}", "", text.strip("\n")]
        return "\n".join(parts) + "\n"


SCOPE_TEXT = {
    SCOPE_FILE: "per file (flake8, `spapi-roles check`, both pre-commit hooks)",
    SCOPE_PROJECT: "whole project (`spapi-roles check` over a directory, the `spapi-roles-project` hook)",
    SCOPE_MANIFEST: "the manifest (`spapi-roles check`, the `spapi-roles-project` hook)",
}

_MANIFEST_OPTION = (
    "The manifest is the nearest `spapi-roles.toml` (or `pyproject.toml` with `[tool.spapi-roles]`) "
    "above the checked file; `--manifest PATH` (CLI) or `--spapi-roles-manifest PATH` (flake8) names one."
)

_RULES: Tuple[Rule, ...] = (
    Rule(
        code="SPR001",
        name="invalid-manifest",
        summary="the manifest governing the file could not be read (flake8 only)",
        default_on=True,
        level=LEVEL_ERROR,
        scope=SCOPE_FILE,
        message="cannot check SP-API uses: {error}",
        what="Reports, in flake8, that the manifest governing this file could not be read.",
        why=(
            "flake8 cannot stop with a configuration error the way `spapi-roles check` does (exit 2), "
            "so the problem is reported on line 1 of each file that uses SP-API instead of passing "
            "silently."
        ),
        example='spapi-roles.toml:\n\n    roles = ["Pricingg"]\n\napp.py:1:1: SPR001 cannot check SP-API uses: '
        "spapi-roles.toml:1: unknown role `Pricingg` (did you mean `Pricing`?)",
        fix="Correct the manifest as the message says; `spapi-roles check` prints the same error.",
        options=_MANIFEST_OPTION,
    ),
    Rule(
        code="SPR101",
        name="undeclared-operation-role",
        summary="operation none of whose roles the manifest declares",
        default_on=True,
        level=LEVEL_ERROR,
        scope=SCOPE_FILE,
        message="{subject} needs one of: {roles}; suggest `{suggested}`",
        what=(
            "Finds a call of an SP-API operation none of whose roles the manifest declares. "
            "The message names the operation, its API and version, every role that grants it "
            "(any one is enough) and the role we suggest: a non-restricted one where one suffices."
        ),
        why=(
            "Amazon refuses the call at run time (403 Unauthorized) when the app registration "
            "holds none of the operation's roles. Finding it at commit time is cheaper than in "
            "production, and keeps the manifest an honest record of what the app needs."
        ),
        example=(
            'spapi-roles.toml:\n\n    roles = ["Pricing"]\n\napp.py:\n\n'
            "    from sp_api.api import Orders\n\n"
            '    orders = Orders().get_orders(CreatedAfter="2024-01-01")  # SPR101'
        ),
        fix=(
            "Request one of the roles for the app in Seller Central (Develop Apps) and add it to "
            "`roles` in the manifest, or run `spapi-roles check --fix`, which adds the suggested "
            "roles and keeps the manifest's comments. If the call is intentional and guarded, "
            "`# noqa: SPR101` on the reported line silences it."
        ),
        known_problems=(
            "Amazon publishes its role mappings only partly; the knowledge base combines its "
            "sources (`spapi-roles explain getOrders` shows them), and a mapping can lag behind "
            "Amazon. Correct a fact locally with an override in the manifest. Operations whose "
            "roles depend on a type argument (createReport, createFeed, createSubscription) are "
            "checked through the type instead (SPR201-SPR203)."
        ),
        options=_MANIFEST_OPTION,
    ),
    Rule(
        code="SPR201",
        name="undeclared-report-role",
        summary="report type none of whose roles the manifest declares",
        default_on=True,
        level=LEVEL_ERROR,
        scope=SCOPE_FILE,
        message="{subject} needs one of: {roles}; suggest `{suggested}`",
        what=(
            "Finds a report type (passed to createReport or getReports, or a report type name in "
            "code) none of whose roles the manifest declares."
        ),
        why=(
            "createReport takes its roles from the report type: Amazon refuses to create a report "
            "of a type the app has no role for, even though the app may call createReport itself."
        ),
        example=(
            'spapi-roles.toml:\n\n    roles = ["Pricing"]\n\napp.py:\n\n'
            "    from sp_api.api import Reports\n\n"
            '    Reports().create_report(reportType="GET_FLAT_FILE_OPEN_LISTINGS_DATA")  # SPR201'
        ),
        fix="Add one of the listed roles to the manifest (or run `spapi-roles check --fix`).",
        known_problems=(
            "Type role mappings are partly reconstructed from Amazon's per-type pages; "
            "`spapi-roles explain GET_FLAT_FILE_OPEN_LISTINGS_DATA` shows the sources and confidence."
        ),
        options=_MANIFEST_OPTION,
    ),
    Rule(
        code="SPR202",
        name="undeclared-feed-role",
        summary="feed type none of whose roles the manifest declares",
        default_on=True,
        level=LEVEL_ERROR,
        scope=SCOPE_FILE,
        message="{subject} needs one of: {roles}; suggest `{suggested}`",
        what="Finds a feed type (passed to createFeed, or a feed type name in code) none of whose roles the manifest declares.",
        why="createFeed takes its roles from the feed type: Amazon refuses feeds of a type the app has no role for.",
        example=(
            'spapi-roles.toml:\n\n    roles = ["Pricing"]\n\napp.py:\n\n'
            "    from sp_api.api import Feeds\n\n"
            '    Feeds().create_feed(feedType="JSON_LISTINGS_FEED", ...)  # SPR202'
        ),
        fix="Add one of the listed roles to the manifest (or run `spapi-roles check --fix`).",
        options=_MANIFEST_OPTION,
    ),
    Rule(
        code="SPR203",
        name="undeclared-notification-role",
        summary="notification type none of whose roles the manifest declares",
        default_on=True,
        level=LEVEL_ERROR,
        scope=SCOPE_FILE,
        message="{subject} needs one of: {roles}; suggest `{suggested}`",
        what=(
            "Finds a notification type (passed to createSubscription and related operations, or a "
            "notification type name in code) none of whose roles the manifest declares."
        ),
        why="A subscription to a notification type needs one of the type's roles; without it Amazon refuses the subscription.",
        example=(
            'spapi-roles.toml:\n\n    roles = []\n\napp.py:\n\n'
            "    from sp_api.api import Notifications\n\n"
            '    Notifications().create_subscription("ANY_OFFER_CHANGED", destination_id=dest)  # SPR203'
        ),
        fix="Add one of the listed roles to the manifest (or run `spapi-roles check --fix`).",
        options=_MANIFEST_OPTION,
    ),
    Rule(
        code="SPR301",
        name="unknown-roles",
        summary="use with no known role mapping",
        default_on=False,
        level=LEVEL_NOTE,
        scope=SCOPE_FILE,
        message="{subject} has no known role mapping; declare its roles in a manifest override",
        what=(
            "Finds a use of an operation or type for which the knowledge base has no role data "
            "(Amazon's mapping for it was not available) and no manifest override gives one."
        ),
        why=(
            "Such a use cannot be checked: it passes whatever the manifest says. Turning this code "
            "on lists the blind spots so the team can record the roles it knows in the manifest."
        ),
        example=(
            "app.py:\n\n    from sp_api.api import Services\n\n"
            "    Services().get_service_jobs(...)  # SPR301 when no role data is known"
        ),
        fix=(
            "Add an override to the manifest, e.g.\n\n"
            "    [operations.getServiceJobs]\n    roles = [\"Professional Services (Restricted)\"]\n\n"
            "The use is then checked like any other (SPR101)."
        ),
        known_problems="Off by default: the knowledge base's coverage is partial, so this would be noisy on most code bases.",
        options=_MANIFEST_OPTION,
    ),
    Rule(
        code="SPR302",
        name="role-not-available-to-account",
        summary="declared role the declared account type cannot hold",
        default_on=True,
        level=LEVEL_ERROR,
        scope=SCOPE_MANIFEST,
        message="role `{role}` is not available to {account} accounts",
        what=(
            "Finds a declared role that the manifest's `account` type cannot hold: only five roles "
            "are available to vendors (Amazon Fulfillment, Amazon Warehousing and Distribution, "
            "Brand Analytics, Direct to Consumer Shipping (Restricted), Product Listing)."
        ),
        why="Amazon will not grant the role to the registration, so code relying on it cannot work.",
        example='spapi-roles.toml:\n\n    account = "vendor"\n    roles = ["Pricing"]  # SPR302',
        fix="Remove the role, or correct `account` (\"seller\", \"vendor\" or \"hybrid\").",
        options=_MANIFEST_OPTION,
    ),
    Rule(
        code="SPR303",
        name="use-not-available-to-account",
        summary="use none of whose roles the declared account type can hold",
        default_on=True,
        level=LEVEL_ERROR,
        scope=SCOPE_FILE,
        message="{subject} is not available to {account} accounts (it needs one of: {roles})",
        what=(
            "Finds a use whose roles the manifest's `account` type cannot hold at all, e.g. a "
            "seller-only operation in a vendor application. It replaces SPR101/SPR2xx for that use, "
            "because no role could be added."
        ),
        why="The call will be refused whatever roles the registration requests.",
        example=(
            'spapi-roles.toml:\n\n    account = "vendor"\n    roles = []\n\napp.py:\n\n'
            "    from sp_api.api import Orders\n\n    Orders().get_orders(...)  # SPR303"
        ),
        fix="Use the vendor counterpart of the API (e.g. the Vendor Orders API), or correct `account`.",
        options=_MANIFEST_OPTION,
    ),
    Rule(
        code="SPR304",
        name="use-not-in-regions",
        summary="use not offered in any declared region",
        default_on=True,
        level=LEVEL_WARNING,
        scope=SCOPE_FILE,
        message="{subject} is not available in the declared regions {declared}; available in {available}",
        what=(
            "Finds a use of an operation or type that Amazon does not offer in any of the regions "
            "the manifest declares (`regions = [\"EU\"]`)."
        ),
        why="The endpoint of a declared region will refuse or not know the call.",
        example=(
            'spapi-roles.toml:\n\n    regions = ["EU"]\n    roles = ["Amazon Fulfillment"]\n\n'
            "app.py: a call of an operation Amazon offers in NA only  # SPR304"
        ),
        fix="Remove the call from code that runs in those regions, or correct `regions`.",
        known_problems="Only uses whose regions the knowledge base states are checked; no `regions` key means no check.",
        options=_MANIFEST_OPTION,
    ),
    Rule(
        code="SPR401",
        name="restricted-data-token",
        summary="operation returning restricted data needs a Restricted Data Token",
        default_on=False,
        level=LEVEL_NOTE,
        scope=SCOPE_FILE,
        message="{subject} returns restricted data (PII); call it with a Restricted Data Token",
        what=(
            "Finds calls of operations that return personally identifiable information and need a "
            "Restricted Data Token (Tokens API createRestrictedDataToken) besides a restricted role."
        ),
        why=(
            "Without an RDT the call succeeds but the restricted fields (buyer info, shipping "
            "address) are missing, which is easy to miss in testing. Off by default: it is "
            "informational and right for every call once the RDT flow exists."
        ),
        example="app.py:\n\n    Orders().get_order_address(order_id)  # SPR401",
        fix=(
            "Obtain an RDT for the call (python-amazon-sp-api: `restricted_data_token=...`), "
            "then `# noqa: SPR401`, or leave the code off."
        ),
        options=_MANIFEST_OPTION,
    ),
    Rule(
        code="SPR402",
        name="deprecated-use",
        summary="deprecated operation or type",
        default_on=False,
        level=LEVEL_WARNING,
        scope=SCOPE_FILE,
        message="{subject} is deprecated",
        what="Finds uses of operations or types that Amazon marks deprecated (still served, to be retired).",
        why=(
            "Deprecated operations are retired after a notice period; migrating early avoids an "
            "outage. Off by default because it is a migration reminder, not a role problem."
        ),
        example="app.py:\n\n    Orders().get_orders(...)  # SPR402: Orders API v0 getOrders is deprecated",
        fix="Move to the successor (e.g. Orders API v2026-01-01 `searchOrders`); `spapi-roles explain` names it where known.",
    ),
    Rule(
        code="SPR403",
        name="retired-use",
        summary="retired operation or type",
        default_on=True,
        level=LEVEL_ERROR,
        scope=SCOPE_FILE,
        message="{subject} is retired; Amazon no longer serves it",
        what="Finds uses of operations or types Amazon has retired.",
        why="The call fails at run time whatever roles the app holds.",
        example="app.py:\n\n    CatalogItems(version=\"v0\").list_items(...)  # SPR403",
        fix="Move to the current version of the API.",
    ),
    Rule(
        code="SPR501",
        name="unused-role",
        summary="declared role no checked code needs",
        default_on=True,
        level=LEVEL_WARNING,
        scope=SCOPE_PROJECT,
        message="role `{role}` is declared but no checked code needs it",
        what=(
            "Finds roles in the manifest that no use in the manifest's project needs. Reported at "
            "the role's line in the manifest. Runs only when the whole project is checked "
            "(`spapi-roles check` over the manifest's directory or above, or the project hook), "
            "never per file."
        ),
        why=(
            "Least privilege: every role is access to sellers' data that Amazon reviews and that a "
            "leaked credential exposes. A role nobody uses should not be requested."
        ),
        example='spapi-roles.toml:\n\n    roles = [\n        "Pricing",  # SPR501 when no code calls a Pricing operation\n    ]',
        fix=(
            "Remove the role from the manifest (and from the app registration). If code outside "
            "the checked tree needs it, add `# noqa: SPR501` on the role's line."
        ),
        known_problems=(
            "Uses the engine cannot see (dynamic dispatch, code generated at run time, other "
            "languages) make a needed role look unused."
        ),
        options=_MANIFEST_OPTION,
    ),
    Rule(
        code="SPR901",
        name="name-only-use",
        summary="undeclared roles of a call matched by method name only",
        default_on=False,
        level=LEVEL_NOTE,
        scope=SCOPE_FILE,
        message="{subject} needs one of: {roles}; suggest `{suggested}` (matched by method name only)",
        what=(
            "Opt-in strictness: like SPR101, for calls whose receiver could not be resolved to an "
            "SP-API client but whose method name belongs to exactly one SP-API operation."
        ),
        why=(
            "Clients passed in as parameters or built by factories hide the receiver. The method "
            "name is a good guess but can belong to an unrelated class, hence off by default."
        ),
        example=(
            "app.py:\n\n    def sync(client):\n"
            "        return client.get_inventory_summary_marketplace(...)  # SPR901"
        ),
        fix="Declare a role as for SPR101, or annotate the receiver's type so the engine resolves it.",
    ),
    Rule(
        code="SPR902",
        name="unresolved-type",
        summary="type argument of a type-dependent operation could not be resolved",
        default_on=False,
        level=LEVEL_NOTE,
        scope=SCOPE_FILE,
        message="{kind} type could not be resolved; the roles it needs are unknown",
        what=(
            "Opt-in strictness: finds createReport, createFeed, createSubscription and similar calls "
            "whose type argument is computed at run time, so the roles it needs are unknown."
        ),
        why="The role check silently passes such calls; this code makes the gap visible.",
        example=(
            "app.py:\n\n    def export(report_type):\n"
            "        Reports().create_report(reportType=report_type)  # SPR902"
        ),
        fix="Pass the type as a literal or a `ReportType` member, or accept the gap with `# noqa: SPR902`.",
    ),
)

RULES: Dict[str, Rule] = {rule.code: rule for rule in _RULES}
DEFAULT_OFF: Tuple[str, ...] = tuple(rule.code for rule in _RULES if not rule.default_on)


def rule(code: str) -> Rule:
    """The rule for ``code`` (KeyError when unknown)."""
    return RULES[code]


def explain(name: str) -> Optional[str]:
    """The documentation of a code ("SPR101", "spr101") or rule name, or None."""
    wanted = name.strip()
    found = RULES.get(wanted.upper())
    if found is None:
        found = next((r for r in _RULES if r.name == wanted.lower()), None)
    return found.doc() if found else None


def codes_table_markdown() -> str:
    """The README's codes table, generated from this module."""
    rows = ["| Code | Name | Default | Level | What it finds |", "|---|---|---|---|---|"]
    for r in _RULES:
        rows.append(f"| {r.code} | {r.name} | {'on' if r.default_on else 'off'} | {r.level} | {r.summary} |")
    return "\n".join(rows) + "\n"


class Selection:
    """Which codes to report, with flake8's ``--select/--ignore/--extend-select`` decision rules.

    Without ``select`` every code is selected implicitly; the off-by-default codes are always
    implicitly ignored (unlike flake8, an explicit ``ignore`` does not turn them on). An explicit
    select beats an implicit ignore and an explicit ignore beats an implicit select; between two
    explicit or two implicit matches the longer prefix wins (a tie means ignored).
    """

    def __init__(
        self,
        select: Optional[Sequence[str]] = None,
        ignore: Iterable[str] = (),
        extend_select: Iterable[str] = (),
    ):
        self.selected_explicitly = tuple(select or ()) + tuple(extend_select)
        self.ignored_explicitly = tuple(ignore)
        self.selected = self.selected_explicitly if select is not None else ("SPR",) + self.selected_explicitly
        self.ignored = self.ignored_explicitly + DEFAULT_OFF

    @staticmethod
    def _longest(code: str, prefixes: Iterable[str]) -> int:
        return max((len(p) for p in prefixes if code.startswith(p)), default=-1)

    def enabled(self, code: str) -> bool:
        """True when ``code`` is to be reported."""
        explicit_select = self._longest(code, self.selected_explicitly) >= 0
        explicit_ignore = self._longest(code, self.ignored_explicitly) >= 0
        select_len = self._longest(code, self.selected)
        ignore_len = self._longest(code, self.ignored)
        if select_len < 0:
            return False
        if ignore_len < 0:
            return True
        if explicit_select != explicit_ignore:
            return explicit_select
        return select_len > ignore_len
