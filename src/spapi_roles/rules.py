"""The SPR codes: each code's message template, default, level and documentation, in one table.

Messages are data (bugbear style): checks fill a template with ``Rule.format(**fields)``.
The documentation follows ruff's sections and feeds ``spapi-roles explain``, the SARIF rule
help and the README's codes table. Each code's example is runnable: ``tests/test_rule_examples.py``
writes its files, runs its command and compares the output and the ``# SPRxxx`` comments with what
the example says.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Dict, Iterable, Optional, Sequence, Tuple

LEVEL_ERROR = "error"
LEVEL_WARNING = "warning"
LEVEL_NOTE = "note"

SCOPE_FILE = "file"        # decided from one file's uses and its manifest
SCOPE_PROJECT = "project"  # needs every file of a manifest's project; reported in the manifest

SCOPE_TEXT = {
    SCOPE_FILE: "per file (flake8, `spapi-roles check`, the `spapi-roles` hook)",
    SCOPE_PROJECT: "whole project (`spapi-roles check` over the manifest's directory or above, "
    "the `spapi-roles-project` hook); reported at the role's line in the manifest",
}

# The codes by rule name: the checks emit the names, so that a search for a name finds both its
# rule below and the branch that reports it.
INVALID_MANIFEST = "SPR001"
UNDECLARED_OPERATION_ROLE = "SPR101"
UNDECLARED_REPORT_ROLE = "SPR201"
UNDECLARED_FEED_ROLE = "SPR202"
UNDECLARED_NOTIFICATION_ROLE = "SPR203"
UNKNOWN_ROLES = "SPR301"
ROLE_NOT_AVAILABLE_TO_ACCOUNT = "SPR302"
USE_NOT_AVAILABLE_TO_ACCOUNT = "SPR303"
USE_NOT_IN_REGIONS = "SPR304"
RESTRICTED_DATA_TOKEN = "SPR401"
DEPRECATED_USE = "SPR402"
RETIRED_USE = "SPR403"
UNUSED_ROLE = "SPR501"
NAME_ONLY_USE = "SPR901"
UNRESOLVED_TYPE = "SPR902"

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Fix")
PREFIX = "SPR"


MANIFEST_FILE = "spapi-roles.toml"
CODE_FILE = "app.py"


def _text(block: str) -> str:
    return textwrap.dedent(block).strip("\n")


@dataclass(frozen=True)
class Example:
    """A code at work: a manifest and a module whose ``# SPRxxx`` comments mark the lines the
    codes are reported at, the command run in their directory, and what it prints."""

    manifest: str
    code: str
    command: str
    output: Tuple[str, ...]

    def files(self) -> Dict[str, str]:
        """The example's files by name, as written to disk."""
        return {MANIFEST_FILE: _text(self.manifest) + "\n", CODE_FILE: _text(self.code) + "\n"}

    def text(self) -> str:
        """The example as the documentation shows it."""
        parts = []
        for name, content in self.files().items():
            parts += [f"{name}:", "", textwrap.indent(content.rstrip("\n"), "    "), ""]
        parts += [f"`{self.command}` prints:", "", textwrap.indent("\n".join(self.output), "    ")]
        return "\n".join(parts)


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
    example: Example
    fix: str
    known_problems: str = ""
    options: str = ""

    def format(self, **fields: object) -> str:
        """The message for one finding (without the code)."""
        return self.message.format(**fields)

    def doc(self) -> str:
        """The ruff-style documentation printed by ``spapi-roles explain``."""
        default = "on" if self.default_on else f"off (turn on: `--extend-select {self.code}`)"
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
            ("Example", self.example.text()),
            ("Fix", self.fix),
            ("Options", self.options),
        ]
        for title, text in sections:
            if text:
                parts += ["", f"## {title}", "", _text(text)]
        return "\n".join(parts) + "\n"


_MANIFEST_OPTION = """
    The manifest is the nearest `spapi-roles.toml` (or `pyproject.toml` with a
    `[tool.spapi-roles]` table) above the checked file; `--manifest PATH` (CLI) or
    `--spapi-roles-manifest PATH` (flake8, also in setup.cfg) names one for every file.
    """

_RULES: Tuple[Rule, ...] = (
    Rule(
        code=INVALID_MANIFEST,
        name="invalid-manifest",
        summary="the file's manifest, or the packaged data, cannot be read (flake8 only)",
        default_on=True,
        level=LEVEL_ERROR,
        scope=SCOPE_FILE,
        message="cannot check SP-API uses: {error}",
        what="""
            Reports, in flake8, that the manifest governing a file that uses SP-API could not
            be read or is invalid, or that the knowledge data shipped with the package is
            corrupted. Reported on line 1 of each such file.
            """,
        why="""
            flake8 cannot stop with a configuration error the way `spapi-roles check` does
            (exit code 2), so the problem is reported instead of every check passing silently.
            """,
        example=Example(
            manifest="""
                roles = ["Pricingg"]
                """,
            code="""
                from sp_api.api import Products  # SPR001


                def competitor_prices(asins):
                    return Products().get_competitive_pricing_for_asins(asins)
                """,
            command="flake8 --select SPR app.py",
            output=(
                "app.py:1:1: SPR001 cannot check SP-API uses: spapi-roles.toml:1: unknown role "
                "`Pricingg`; did you mean `Pricing`?",
            ),
        ),
        fix=("Correct the manifest as the message says; `spapi-roles check` prints the same "
             "error. Corrupted packaged data: reinstall flake8-spapi-roles."),
        options=_MANIFEST_OPTION,
    ),
    Rule(
        code=UNDECLARED_OPERATION_ROLE,
        name="undeclared-operation-role",
        summary="operation none of whose roles the manifest declares",
        default_on=True,
        level=LEVEL_ERROR,
        scope=SCOPE_FILE,
        message="{subject} needs a role{where}; suggest `{suggested}`{others}",
        what="""
            Finds a call of an SP-API operation none of whose roles the manifest declares. The
            message names the operation, its API and version, every role that grants it (any one
            is enough) and the role to request: a non-restricted one where one suffices.
            """,
        why="""
            Amazon refuses the call at run time (403 Unauthorized) when the app registration holds
            none of the operation's roles. Finding it at commit time is cheaper than in production,
            and keeps the manifest an honest record of what the app needs.
            """,
        known_problems="""
            Amazon publishes its role mappings only in part; the knowledge base combines its
            sources (`spapi-roles explain getCompetitivePricing` shows them and their confidence)
            and can lag behind Amazon. Where no source names an operation's roles they are
            inferred (from the API's other operations, its previous version or a statement about
            the whole API): the message then says "roles inferred", and `inferred = "warning"` in
            the manifest or `--inferred warning` reports such findings as warnings. Correct a fact
            locally with an `[operations]` override in the manifest. Operations whose roles depend
            on a type argument (createReport, createFeed, createSubscription, ...) are checked
            through the type (SPR201-SPR203).
            """,
        example=Example(
            manifest="""
                roles = ["Inventory and Order Tracking"]
                """,
            code="""
                from sp_api.api import Orders, Products


                def new_orders(since):
                    return Orders().get_orders(CreatedAfter=since)


                def competitor_prices(asins):
                    return Products().get_competitive_pricing_for_asins(asins)  # SPR101
                """,
            command="spapi-roles check",
            output=(
                "app.py:9:23: SPR101 `getCompetitivePricing` (Product Pricing API v0) needs a "
                "role; suggest `Pricing` or `Product Listing`",
                "Found 1 problem (1 error) in 1 file (1 file checked)",
            ),
        ),
        fix="""
            Request one of the roles for the app registration (Seller Central, Develop Apps) and
            add it to `roles`, or run `spapi-roles check --fix`, which adds the fewest roles that
            grant every finding and keeps the manifest's comments. If the call is intended to fail
            without the role, `# noqa: SPR101` on the reported line silences it.
            """,
        options=_MANIFEST_OPTION,
    ),
    Rule(
        code=UNDECLARED_REPORT_ROLE,
        name="undeclared-report-role",
        summary="report type none of whose roles the manifest declares",
        default_on=True,
        level=LEVEL_ERROR,
        scope=SCOPE_FILE,
        message="{subject} needs a role{where}; suggest `{suggested}`{others}",
        what="""
            Finds a report type (passed to createReport, createReportSchedule or getReports, or a
            report type name written in code) none of whose roles the manifest declares.
            Reported where the type is written.
            """,
        why="""
            createReport takes its roles from the report type: Amazon refuses to create a report
            of a type the app has no role for, although the app may call createReport itself.
            """,
        known_problems="""
            Type role mappings are partly reconstructed from Amazon's per-type pages and its 2022
            role lists; `spapi-roles explain GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA` shows the
            sources and the confidence. Correct a fact with a `[types]` override.
            """,
        example=Example(
            manifest="""
                roles = ["Inventory and Order Tracking"]
                """,
            code="""
                from sp_api.api import Orders, Reports
                from sp_api.base import ReportType


                def new_orders(since):
                    return Orders().get_orders(CreatedAfter=since)


                def fba_inventory():
                    return Reports().create_report(
                        reportType=ReportType.GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA,  # SPR201
                    )
                """,
            command="spapi-roles check",
            output=(
                "app.py:11:31: SPR201 report type `GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA` "
                "needs a role; suggest `Amazon Fulfillment` or `Pricing`",
                "Found 1 problem (1 error) in 1 file (1 file checked)",
            ),
        ),
        fix="Add one of the listed roles to the manifest, or run `spapi-roles check --fix`.",
        options=_MANIFEST_OPTION,
    ),
    Rule(
        code=UNDECLARED_FEED_ROLE,
        name="undeclared-feed-role",
        summary="feed type none of whose roles the manifest declares",
        default_on=True,
        level=LEVEL_ERROR,
        scope=SCOPE_FILE,
        message="{subject} needs a role{where}; suggest `{suggested}`{others}",
        what="""
            Finds a feed type (passed to createFeed or getFeeds, or a feed type name written in
            code) none of whose roles the manifest declares.
            """,
        why="""
            createFeed takes its roles from the feed type: Amazon refuses a feed of a type the app
            has no role for.
            """,
        example=Example(
            manifest="""
                roles = ["Pricing"]
                """,
            code="""
                from sp_api.api import Feeds, Products
                from sp_api.base import FeedType


                def competitor_prices(asins):
                    return Products().get_competitive_pricing_for_asins(asins)


                def upload_listings(document_id):
                    return Feeds().create_feed(FeedType.JSON_LISTINGS_FEED, document_id)  # SPR202
                """,
            command="spapi-roles check",
            output=(
                "app.py:10:41: SPR202 feed type `JSON_LISTINGS_FEED` needs a role; suggest "
                "`Product Listing` or `Inventory and Order Tracking`",
                "Found 1 problem (1 error) in 1 file (1 file checked)",
            ),
        ),
        fix="Add one of the listed roles to the manifest, or run `spapi-roles check --fix`.",
        options=_MANIFEST_OPTION,
    ),
    Rule(
        code=UNDECLARED_NOTIFICATION_ROLE,
        name="undeclared-notification-role",
        summary="notification type none of whose roles the manifest declares",
        default_on=True,
        level=LEVEL_ERROR,
        scope=SCOPE_FILE,
        message="{subject} needs a role{where}; suggest `{suggested}`{others}",
        what="""
            Finds a notification type (passed to createSubscription, getSubscription or
            getSubscriptions, or a notification type name written in code) none of whose roles
            the manifest declares.
            """,
        why="""
            A subscription to a notification type needs one of the type's roles; without it Amazon
            refuses the subscription and no notification arrives.
            """,
        example=Example(
            manifest="""
                roles = []
                """,
            code="""
                from sp_api.api import Notifications
                from sp_api.base import NotificationType


                def watch_offers(destination_id):
                    return Notifications().create_subscription(
                        NotificationType.ANY_OFFER_CHANGED, destination_id)  # SPR203
                """,
            command="spapi-roles check",
            output=(
                "app.py:7:26: SPR203 notification type `ANY_OFFER_CHANGED` needs a role; suggest "
                "`Pricing`",
                "Found 1 problem (1 error) in 1 file (1 file checked)",
            ),
        ),
        fix="Add one of the listed roles to the manifest, or run `spapi-roles check --fix`.",
        options=_MANIFEST_OPTION,
    ),
    Rule(
        code=UNKNOWN_ROLES,
        name="unknown-roles",
        summary="use with no known role mapping",
        default_on=False,
        level=LEVEL_NOTE,
        scope=SCOPE_FILE,
        message="{subject} has no known role mapping; declare its roles in a manifest override",
        what="""
            Finds a use of an operation or type for which the knowledge base has no role data,
            neither from a source nor inferred (`spapi-roles data coverage` lists them and why),
            including a type name that is not in the data at all, and no manifest override gives
            one.
            """,
        why="""
            Such a use cannot be checked: it passes whatever the manifest says. Turning this code
            on lists the blind spots, so the team can record the roles it knows in the manifest.
            """,
        known_problems="""
            Off by default: the knowledge base's coverage is partial (`spapi-roles data coverage`),
            so it would be noisy on most code bases.
            """,
        example=Example(
            manifest="""
                roles = []
                """,
            code="""
                from sp_api.api import Inventories


                def add_test_item(sku):
                    return Inventories().create_inventory_item(sellerSku=sku)  # SPR301 (opt-in)
                """,
            command="spapi-roles check --extend-select SPR301",
            output=(
                "app.py:5:26: SPR301 `createInventoryItem` (FBA Inventory API v1) has no known "
                "role mapping; declare its roles in a manifest override",
                "Found 1 problem (1 note) in 1 file (1 file checked)",
            ),
        ),
        fix="""
            Give the operation's (or type's) roles in the manifest; the use is then checked like
            any other (SPR101 / SPR2xx):

                [operations]
                createInventoryItem = ["Amazon Fulfillment"]   # any one grants; [] = needs none

                [types]
                GET_MY_NEW_REPORT = ["Selling Partner Insights"]
            """,
        options=_MANIFEST_OPTION,
    ),
    Rule(
        code=ROLE_NOT_AVAILABLE_TO_ACCOUNT,
        name="role-not-available-to-account",
        summary="declared role the declared account type cannot hold",
        default_on=True,
        level=LEVEL_ERROR,
        scope=SCOPE_PROJECT,
        message="role `{role}` is not available to {account} accounts",
        what="""
            Finds a declared role that the manifest's `account` type cannot hold. Only five roles
            are available to vendors: Amazon Fulfillment, Amazon Warehousing and Distribution,
            Brand Analytics, Direct-to-Consumer Shipping (Restricted) and Product Listing.
            """,
        why="Amazon does not grant the role to such a registration; code needing it cannot work.",
        example=Example(
            manifest="""
                account = "vendor"
                roles = [
                    "Product Listing",
                    "Pricing",  # SPR302
                ]
                """,
            code="""
                from sp_api.api import Products


                def competitor_prices(asins):
                    return Products().get_competitive_pricing_for_asins(asins)
                """,
            command="spapi-roles check",
            output=(
                "spapi-roles.toml:4:1: SPR302 role `Pricing` is not available to vendor accounts",
                "Found 1 problem (1 error) in 1 file (1 file checked)",
            ),
        ),
        fix='Remove the role, or correct `account` ("seller", "vendor" or "hybrid").',
        options=_MANIFEST_OPTION,
    ),
    Rule(
        code=USE_NOT_AVAILABLE_TO_ACCOUNT,
        name="use-not-available-to-account",
        summary="use none of whose roles the declared account type can hold",
        default_on=True,
        level=LEVEL_ERROR,
        scope=SCOPE_FILE,
        message="{subject} is not available to {account} accounts (it needs {roles})",
        what="""
            Finds a use that the manifest's `account` type cannot be granted: none of its roles is
            open to that account type, or the type is seller-only (vendor-only). It replaces
            SPR101 / SPR2xx for that use, because no role could be added.
            """,
        why="The call is refused whatever roles the registration requests.",
        example=Example(
            manifest="""
                account = "vendor"
                roles = []
                """,
            code="""
                from sp_api.api import Invoices


                def invoices(marketplace):
                    # Tax Invoicing is seller-only:
                    return Invoices().get_invoices(marketplaceId=marketplace)  # SPR303
                """,
            command="spapi-roles check",
            output=(
                "app.py:6:23: SPR303 `getInvoices` (Invoices API 2024-06-19) is not available to "
                "vendor accounts (it needs `Tax Invoicing (Restricted)`)",
                "Found 1 problem (1 error) in 1 file (1 file checked)",
            ),
        ),
        fix="Use the vendor counterpart of the API (e.g. Vendor Invoices), or correct `account`.",
        options=_MANIFEST_OPTION,
    ),
    Rule(
        code=USE_NOT_IN_REGIONS,
        name="use-not-in-regions",
        summary="use not offered, or not granted by any role, in the regions the app runs in",
        default_on=True,
        level=LEVEL_WARNING,
        scope=SCOPE_FILE,
        message="{subject} is not available in {wanted}; available in {available}",
        what="""
            Finds a use of an operation or type that Amazon does not offer in any region the
            manifest declares (`regions = ["EU"]`), or that no role grants in every region the
            app runs in: the declared regions where the use is offered, or, without `regions`,
            every region Amazon offers it in (Amazon's "(FE only)" role limits).
            """,
        why="The endpoints of the declared regions refuse the call.",
        known_problems="""
            Only uses whose regions the knowledge base states are checked against the declared
            regions; a use whose regions are unknown counts as offered everywhere. Where some of
            a use's roles grant it everywhere, a declared role that grants it only in some
            regions is reported as SPR101 (saying where it grants it) rather than SPR304.
            """,
        example=Example(
            manifest="""
                regions = ["EU"]
                roles = ["Tax Invoicing (Restricted)"]
                """,
            code="""
                from sp_api.api import Invoices


                def invoices(marketplace):
                    return Invoices().get_invoices(marketplaceId=marketplace)  # SPR304: NA only
                """,
            command="spapi-roles check",
            output=(
                "app.py:5:23: SPR304 `getInvoices` (Invoices API 2024-06-19) is not available in "
                "the declared regions EU; available in NA",
                "Found 1 problem (1 warning) in 1 file (1 file checked)",
            ),
        ),
        fix="Keep the call out of code that runs in those regions, or correct `regions`.",
        options=_MANIFEST_OPTION,
    ),
    Rule(
        code=RESTRICTED_DATA_TOKEN,
        name="restricted-data-token",
        summary="operation returning restricted data needs a Restricted Data Token",
        default_on=False,
        level=LEVEL_NOTE,
        scope=SCOPE_FILE,
        message="{subject} returns restricted data (PII); call it with a Restricted Data Token",
        what="""
            Finds calls of operations (and uses of report types) that return personally
            identifiable information, for which Amazon requires a Restricted Data Token (Tokens
            API createRestrictedDataToken) besides a role.
            """,
        why="""
            Without an RDT the call may succeed while the restricted fields (buyer info, shipping
            address) are missing, which is easy to miss in testing. Off by default: it is a
            reminder, right for every such call, once the RDT flow exists.
            """,
        example=Example(
            manifest="""
                roles = ["Direct-to-Consumer Shipping (Restricted)"]
                """,
            code="""
                from sp_api.api import Orders


                def ship_to(order_id):
                    return Orders().get_order_address(order_id)  # SPR401 (opt-in)
                """,
            command="spapi-roles check --extend-select SPR401",
            output=(
                "app.py:5:21: SPR401 `getOrderAddress` (Orders API v0) returns restricted data "
                "(PII); call it with a Restricted Data Token",
                "Found 1 problem (1 note) in 1 file (1 file checked)",
            ),
        ),
        fix="""
            Obtain an RDT for the call (python-amazon-sp-api: `restricted_data_token=...`), then
            `# noqa: SPR401`, or leave the code off.
            """,
    ),
    Rule(
        code=DEPRECATED_USE,
        name="deprecated-use",
        summary="deprecated operation or type",
        default_on=False,
        level=LEVEL_WARNING,
        scope=SCOPE_FILE,
        message="{subject} is deprecated",
        what="Finds uses of operations or types Amazon marks deprecated (served until retired).",
        why="""
            Deprecated operations are retired after a notice period; migrating early avoids an
            outage. Off by default: a migration reminder, not a role problem.
            """,
        example=Example(
            manifest="""
                roles = ["Inventory and Order Tracking"]
                """,
            code="""
                from sp_api.api import Orders


                def new_orders(since):
                    return Orders().get_orders(CreatedAfter=since)  # SPR402 (opt-in)
                """,
            command="spapi-roles check --extend-select SPR402",
            output=(
                "app.py:5:21: SPR402 `getOrders` (Orders API v0) is deprecated",
                "Found 1 problem (1 warning) in 1 file (1 file checked)",
            ),
        ),
        fix="""
            Move to the successor (here Orders API 2026-01-01 `searchOrders`); `spapi-roles explain
            getOrders` shows what is known.
            """,
    ),
    Rule(
        code=RETIRED_USE,
        name="retired-use",
        summary="retired operation",
        default_on=True,
        level=LEVEL_ERROR,
        scope=SCOPE_FILE,
        message="{subject} is retired; Amazon no longer serves it",
        what="Finds calls of operations Amazon has retired (removed from its API models).",
        why="The call fails at run time whatever roles the app holds.",
        example=Example(
            manifest="""
                roles = []
                """,
            code="""
                from sp_api.api import Catalog

                Catalog().list_items(Query="mug")  # SPR403: Catalog Items API v0
                """,
            command="spapi-roles check",
            output=(
                "app.py:3:11: SPR403 `listCatalogItems` (Catalog Items API v0) is retired; Amazon "
                "no longer serves it",
                "Found 1 problem (1 error) in 1 file (1 file checked)",
            ),
        ),
        fix="Move to the current version of the API (here Catalog Items 2022-04-01).",
    ),
    Rule(
        code=UNUSED_ROLE,
        name="unused-role",
        summary="declared role no checked code needs",
        default_on=True,
        level=LEVEL_WARNING,
        scope=SCOPE_PROJECT,
        message="role `{role}` is declared but no checked code needs it{unseen}",
        what="""
            Finds roles in the manifest that no use in the manifest's project needs (no use lists
            the role among those that grant it). Reported at the role's line in the manifest,
            and only when the whole project is checked: `spapi-roles check` over the manifest's
            directory or above, or the `spapi-roles-project` hook; never per file or in flake8.
            """,
        why="""
            Least privilege: each role is access to sellers' data that Amazon reviews and that a
            leaked credential exposes. A role nobody uses should not be requested.
            """,
        known_problems="""
            Uses the engine cannot see (dynamic dispatch, code outside the checked tree, other
            languages) and uses without known role data make a needed role look unused: the
            message names the kinds of use in the project whose roles the engine could not tell
            (unresolved report, feed or notification types, uses with no known role mapping).
            """,
        example=Example(
            manifest="""
                roles = [
                    "Inventory and Order Tracking",
                    "Brand Analytics",  # SPR501: no code needs it
                ]
                """,
            code="""
                from sp_api.api import Orders


                def new_orders(since):
                    return Orders().get_orders(CreatedAfter=since)
                """,
            command="spapi-roles check",
            output=(
                "spapi-roles.toml:3:1: SPR501 role `Brand Analytics` is declared but no checked "
                "code needs it",
                "Found 1 problem (1 warning) in 1 file (1 file checked)",
            ),
        ),
        fix="""
            Remove the role from the manifest (and from the app registration). If code the check
            cannot see needs it, add `# noqa: SPR501` on the role's line.
            """,
        options=_MANIFEST_OPTION,
    ),
    Rule(
        code=NAME_ONLY_USE,
        name="name-only-use",
        summary="undeclared roles of a call matched by method name only",
        default_on=False,
        level=LEVEL_NOTE,
        scope=SCOPE_FILE,
        message="{subject} needs a role{where}; suggest `{suggested}`{others} "
        "(matched by method name only)",
        what="""
            Opt-in strictness: SPR101 for calls whose receiver could not be resolved to an SP-API
            client, but whose method name belongs to SP-API clients.
            """,
        why="""
            Clients passed in as parameters or built by factories hide the receiver. The method
            name is a good guess but can belong to an unrelated class, hence off by default.
            """,
        example=Example(
            manifest="""
                roles = []
                """,
            code="""
                from sp_api.api import Inventories


                def stock(client):
                    return client.get_inventory_summary_marketplace()  # SPR901 (opt-in)
                """,
            command="spapi-roles check --extend-select SPR901",
            output=(
                "app.py:5:19: SPR901 `getInventorySummaries` (FBA Inventory API v1) needs a role; "
                "suggest `Amazon Fulfillment` or `Product Listing` (matched by method name only)",
                "Found 1 problem (1 note) in 1 file (1 file checked)",
            ),
        ),
        fix="""
            Declare a role as for SPR101, or annotate the receiver (`client: Inventories`) so that
            the engine resolves it.
            """,
        options=_MANIFEST_OPTION,
    ),
    Rule(
        code=UNRESOLVED_TYPE,
        name="unresolved-type",
        summary="type argument of a type-dependent operation could not be resolved",
        default_on=False,
        level=LEVEL_NOTE,
        scope=SCOPE_FILE,
        message="{kind} type{of} could not be resolved; the roles it needs are unknown",
        what="""
            Opt-in strictness: finds createReport, createFeed, createSubscription and similar calls
            whose type argument is computed at run time, so the roles it needs are unknown.
            """,
        why="The role check silently passes such calls; this code makes the gap visible.",
        example=Example(
            manifest="""
                roles = []
                """,
            code="""
                from sp_api.api import Reports


                def export(report_type):
                    return Reports().create_report(reportType=report_type)  # SPR902 (opt-in)
                """,
            command="spapi-roles check --extend-select SPR902",
            output=(
                "app.py:5:47: SPR902 report type of `createReport` from `report_type` could not be "
                "resolved; the roles it needs are unknown",
                "Found 1 problem (1 note) in 1 file (1 file checked)",
            ),
        ),
        fix="""
            Pass the type as a literal or a `ReportType` member where it is fixed, or accept the
            gap with `# noqa: SPR902`.
            """,
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
        default = "on" if r.default_on else "off"
        rows.append(f"| {r.code} | {r.name} | {default} | {r.level} | {r.summary} |")
    return "\n".join(rows) + "\n"


def names_opt_in(code: str, selected: Iterable[str]) -> bool:
    """Whether an off-by-default ``code`` is named by a select entry longer than "SPR".

    Like bugbear's B9xx: ``--select SPR`` (or a broad ``S``) keeps the opt-in codes off;
    ``--extend-select SPR9`` or ``SPR902`` turns them on.
    """
    return any(code.startswith(prefix) and len(prefix) > len(PREFIX) for prefix in selected)


class Selection:
    """Which codes to report, with flake8's ``--select/--ignore/--extend-select`` rules.

    Without ``select`` every code is selected implicitly. Between an explicit select and an
    explicit ignore the longer prefix wins (a tie means ignored); an explicit ignore beats the
    implicit select. The off-by-default codes are reported only when a select entry longer
    than "SPR" names them (``names_opt_in``).
    """

    def __init__(
        self,
        select: Optional[Sequence[str]] = None,
        ignore: Iterable[str] = (),
        extend_select: Iterable[str] = (),
    ):
        self.selected_explicitly = tuple(select or ()) + tuple(extend_select)
        self.selected_implicitly = () if select is not None else (PREFIX,)
        self.ignored = tuple(ignore)

    @staticmethod
    def _longest(code: str, prefixes: Iterable[str]) -> int:
        return max((len(p) for p in prefixes if code.startswith(p)), default=-1)

    def enabled(self, code: str) -> bool:
        """True when ``code`` is to be reported."""
        if code in DEFAULT_OFF and not names_opt_in(code, self.selected_explicitly):
            return False
        explicit = self._longest(code, self.selected_explicitly)
        implicit = self._longest(code, self.selected_implicitly)
        ignored = self._longest(code, self.ignored)
        if explicit < 0 and implicit < 0:
            return False
        if ignored < 0:
            return True
        return explicit > ignored
