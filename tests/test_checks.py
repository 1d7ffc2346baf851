"""Per-use, manifest and project checks on hand-made uses against the bundled knowledge base.

The facts relied on are Amazon's stated ones (see tools/kb_inputs): JSON_LISTINGS_FEED needs
Inventory and Order Tracking or Product Listing and is open to sellers and vendors
(role-mappings-for-types, confirmed); POST_EASYSHIP_DOCUMENTS needs Direct-to-Consumer Shipping
(Restricted), Inventory and Order Tracking or Tax Invoicing (Restricted), sellers only (confirmed);
Invoices API getInvoices needs Tax Invoicing (Restricted) and is NA only (role table); Sales API
getOrderMetrics is open to Inventory and Order Tracking and Product Listing everywhere and to ten
other roles in FE only (role table); rotateApplicationClientSecret is grantless (role table); Orders
v0 getOrders is deprecated (models) and needs a Restricted Data Token (Tokens API guide); Catalog
Items v0 listCatalogItems is retired (removed from the models); only five roles are available to
vendors, Pricing not among them (roles page).
"""

from __future__ import annotations

import textwrap

import pytest

from spapi_roles import checks, knowledge
from spapi_roles.manifest import load_manifest
from spapi_roles.uses import Use

KB = knowledge.load()
IOT = "Inventory and Order Tracking"
TAX_INVOICING = "Tax Invoicing (Restricted)"
DTC = "Direct-to-Consumer Shipping (Restricted)"


def op_use(key: str, line: int = 1, evidence: str = "receiver", path: str = "app.py") -> Use:
    name = key.split("#", 1)[1]
    return Use(path, line, 4, "operation", name, evidence, operation_keys=(key,))


def type_use(kind: str, name: str, line: int = 1, evidence: str = "carrier") -> Use:
    return Use("app.py", line, 8, kind, name, evidence)


@pytest.fixture
def manifest(tmp_path):
    def make(text: str):
        path = tmp_path / "spapi-roles.toml"
        path.write_text(textwrap.dedent(text))
        return load_manifest(str(path))

    return make


def found(uses, manifest_obj):
    return [(d.line, d.code, d.message) for d in checks.check_uses(uses, KB, manifest_obj)]


def test_spr101_names_operation_api_version_roles_and_suggestion(manifest):
    [diagnostic] = checks.check_uses(
        [op_use("InvoicesApiModel_2024-06-19#getInvoices", 7)], KB, manifest('roles = ["Pricing"]')
    )
    assert diagnostic.code == "SPR101"
    assert (diagnostic.path, diagnostic.line, diagnostic.column) == ("app.py", 7, 4)
    assert diagnostic.message == (
        "`getInvoices` (Invoices API 2024-06-19) needs a role; suggest `Tax Invoicing (Restricted)`"
    )
    assert (diagnostic.kind, diagnostic.name, diagnostic.api, diagnostic.version) == (
        "operation",
        "getInvoices",
        "Invoices API",
        "2024-06-19",
    )
    assert diagnostic.required_roles == (TAX_INVOICING,)


def test_declared_role_grants_and_spelling_is_forgiving(manifest):
    uses = [op_use("InvoicesApiModel_2024-06-19#getInvoices")]
    assert found(uses, manifest('roles = ["tax-invoicing"]')) == []


def test_no_manifest_means_no_role_is_declared():
    assert [c for _, c, _ in found([op_use("InvoicesApiModel_2024-06-19#getInvoices")], None)] == [
        "SPR101"
    ]


def test_type_codes_and_non_restricted_suggestion(manifest):
    uses = [
        type_use("feed", "POST_EASYSHIP_DOCUMENTS", 2),
        type_use("feed", "JSON_LISTINGS_FEED", 3, evidence="literal"),
        type_use("report", "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA", 4),
        type_use("notification", "ANY_OFFER_CHANGED", 5),
    ]
    result = found(uses, manifest('roles = ["Brand Analytics"]'))
    assert [(line, code) for line, code, _ in result] == [
        (2, "SPR202"),
        (3, "SPR202"),
        (4, "SPR201"),
        (5, "SPR203"),
    ]
    # Three roles grant the first: the message names the suggestion and counts the others.
    assert result[0][2] == (
        "feed type `POST_EASYSHIP_DOCUMENTS` needs a role; "
        "suggest `Inventory and Order Tracking` or any of 2 other roles"
    )
    # One plan for all four: Inventory and Order Tracking and Pricing grant every one.
    assert result[1][2].endswith("suggest `Inventory and Order Tracking` or `Product Listing`")
    assert result[2][2].endswith("suggest `Pricing` or `Amazon Fulfillment`")
    assert result[3][2] == "notification type `ANY_OFFER_CHANGED` needs a role; suggest `Pricing`"


def test_type_carrier_operation_is_left_to_its_types(manifest):
    uses = [
        op_use("reports_2021-06-30#createReport"),
        op_use("feeds_2021-06-30#createFeed"),
        op_use("notifications#createSubscription"),
    ]
    assert found(uses, manifest("roles = []")) == []


def test_grantless_operation_needs_no_role(manifest):
    assert (
        found(
            [op_use("application_2023-11-30#rotateApplicationClientSecret")], manifest("roles = []")
        )
        == []
    )


def test_retired_operation_gets_spr403_only(manifest):
    assert found([op_use("catalogItemsV0#listCatalogItems")], manifest("roles = []")) == [
        (
            1,
            "SPR403",
            "`listCatalogItems` (Catalog Items API v0) is retired; Amazon no longer serves it",
        )
    ]


def test_deprecated_and_restricted_data_are_reported_besides_roles(manifest):
    result = found([op_use("ordersV0#getOrders")], manifest(f'roles = ["{IOT}"]'))
    assert result == [
        (
            1,
            "SPR401",
            "`getOrders` (Orders API v0) returns restricted data (PII); call it with a "
            "Restricted Data Token",
        ),
        (1, "SPR402", "`getOrders` (Orders API v0) is deprecated"),
    ]


def test_operation_outside_declared_regions(manifest):
    result = found(
        [op_use("InvoicesApiModel_2024-06-19#getInvoices")],
        manifest('roles = []\nregions = ["EU", "FE"]'),
    )
    assert result == [
        (
            1,
            "SPR304",
            "`getInvoices` (Invoices API 2024-06-19) is not available in the "
            "declared regions EU, FE; available in NA",
        )
    ]


@pytest.mark.parametrize(
    "regions, expected",
    [
        ('["FE"]', []),
        ("[]", ["SPR101"]),  # no regions: every region it is offered in, FE is not enough
        ('["EU"]', ["SPR101"]),
    ],
)
def test_role_granting_only_in_other_regions_does_not_count(manifest, regions, expected):
    text = f'roles = ["Pricing"]\nregions = {regions}' if regions != "[]" else 'roles = ["Pricing"]'
    diagnostics = checks.check_uses([op_use("sales#getOrderMetrics")], KB, manifest(text))
    assert [d.code for d in diagnostics] == expected
    if expected:
        # In EU (and in NA) only the two roles without a region limit grant it; the message
        # says where a role is needed and why the declared one is not enough.
        assert diagnostics[0].required_roles == (IOT, "Product Listing")
        where = "EU" if regions == '["EU"]' else "NA, EU, FE (no `regions` declared;"
        assert f"needs a role in {where}" in diagnostics[0].message
        assert "`Pricing` grants it only in FE)" in diagnostics[0].message
        assert diagnostics[0].message.endswith(
            "suggest `Inventory and Order Tracking` or `Product Listing`")


def test_vendor_account(manifest):
    vendor = manifest('roles = []\naccount = "vendor"')
    result = found(
        [
            type_use("feed", "POST_EASYSHIP_DOCUMENTS", 1),
            op_use("InvoicesApiModel_2024-06-19#getInvoices", 2),
            type_use("feed", "JSON_LISTINGS_FEED", 3),
        ],
        vendor,
    )
    assert [(line, code) for line, code, _ in result] == [
        (1, "SPR303"),
        (2, "SPR303"),
        (3, "SPR202"),
    ]
    assert result[1][2] == (
        "`getInvoices` (Invoices API 2024-06-19) is not available to vendor accounts "
        "(it needs `Tax Invoicing (Restricted)`)"
    )
    # Inventory and Order Tracking is seller-only, so the vendor is pointed at Product Listing.
    assert result[2][2].endswith("suggest `Product Listing`")


def test_role_the_account_cannot_hold_is_reported_at_its_line(manifest):
    m = manifest('account = "vendor"\nroles = [\n  "Product Listing",\n  "Pricing",\n]\n')
    [diagnostic] = checks.check_manifest(m, KB)
    assert (
        diagnostic.path,
        diagnostic.line,
        diagnostic.code,
        diagnostic.kind,
        diagnostic.name,
    ) == (m.path, 4, "SPR302", "role", "Pricing")
    assert diagnostic.message == "role `Pricing` is not available to vendor accounts"
    assert checks.check_manifest(manifest('account = "hybrid"\nroles = ["Pricing"]'), KB) == []


def test_unused_roles(manifest):
    m = manifest(
        'roles = [\n    "Pricing",\n    "Product Listing",  # listings\n    "Brand Analytics",\n]\n'
    )
    uses = [
        type_use("notification", "ANY_OFFER_CHANGED"),
        op_use("productPricingV0#getCompetitivePricing"),
    ]
    result = checks.check_project(m, uses, KB)
    assert [(d.line, d.code, d.name, d.message) for d in result] == [
        (
            4,
            "SPR501",
            "Brand Analytics",
            "role `Brand Analytics` is declared but no checked code needs it",
        )
    ]


def _operation_without_role_data():
    return next(
        op
        for op in KB.operations.values()
        if not op.known and not op.type_carrier and not op.retired and not op.deprecated
    )


def test_unknown_roles_and_manifest_override(manifest):
    op = _operation_without_role_data()
    use = op_use(op.key)
    [(_, code, message)] = found([use], manifest("roles = []"))
    assert code == "SPR301"
    assert message.startswith(
        f"`{op.operation_id}` ({op.api} {op.version}) has no known role mapping"
    )
    overridden = manifest(f'roles = []\n[operations]\n{op.operation_id} = ["Pricing"]\n')
    [(_, code, message)] = found([use], overridden)
    assert code == "SPR101" and message.endswith("needs a role; suggest `Pricing`")
    assert (
        found(
            [use], manifest(f'roles = ["Pricing"]\n[operations]\n{op.operation_id} = ["Pricing"]\n')
        )
        == []
    )
    assert found([use], manifest(f"roles = []\n[operations]\n{op.operation_id} = []\n")) == []


def test_type_override(manifest):
    m = manifest('roles = ["Brand Analytics"]\n[types]\nANY_OFFER_CHANGED = ["Brand Analytics"]\n')
    assert found([type_use("notification", "ANY_OFFER_CHANGED")], m) == []


def test_opt_in_evidence(manifest):
    m = manifest('roles = ["Brand Analytics"]')
    uses = [
        op_use("InvoicesApiModel_2024-06-19#getInvoices", 1, evidence="name-only"),
        op_use("ordersV0#getOrders", 2, evidence="name-only"),
        type_use("report", "", 3, evidence="unresolved"),
    ]
    result = found(uses, m)
    assert result[0] == (
        1,
        "SPR901",
        "`getInvoices` (Invoices API 2024-06-19) needs a role; suggest "
        "`Tax Invoicing (Restricted)` (matched by method name only)",
    )
    # Name-only matches get no SPR401/SPR402: only the opt-in role finding.
    assert [(line, code) for line, code, _ in result] == [
        (1, "SPR901"),
        (2, "SPR901"),
        (3, "SPR902"),
    ]
    assert result[2][2] == "report type could not be resolved; the roles it needs are unknown"
    named = Use("app.py", 4, 8, "report", "", "unresolved", via="createReport: form['kind']")
    assert found([named], m) == [(
        4, "SPR902", "report type of `createReport` from `form['kind']` could not be resolved; "
        "the roles it needs are unknown",
    )]
    assert found(uses[:1], manifest(f'roles = ["{TAX_INVOICING}"]')) == []


def test_unresolved_version_prefers_live_candidates(manifest):
    use = Use(
        "app.py",
        1,
        0,
        "operation",
        "listCatalogItems",
        "receiver",
        operation_keys=(
            "catalogItemsV0#listCatalogItems",
            "catalogItems_2022-04-01#searchCatalogItems",
        ),
    )
    result = found([use], manifest("roles = []"))
    assert [code for _, code, _ in result] == ["SPR101"]
    assert "Catalog Items API 2022-04-01" in result[0][2]


def test_an_operation_key_not_in_the_data_reports_nothing(manifest):
    uses = [Use("app.py", 1, 0, "operation", "nope", "receiver", operation_keys=("x#nope",))]
    assert found(uses, manifest("roles = []")) == []


def test_a_type_name_not_in_the_data_has_unknown_roles(manifest):
    # Seen in public code, in no Amazon list: visible through the opt-in SPR301, never silent.
    uses = [type_use("report", "GET_DATE_RANGE_FINANCIAL_TRANSACTION_DATA", line=3)]
    assert found(uses, manifest("roles = []")) == [(
        3, "SPR301", "report type `GET_DATE_RANGE_FINANCIAL_TRANSACTION_DATA` has no known role "
        "mapping; declare its roles in a manifest override")]


INFERRED_OP = "fulfillmentInbound_2024-03-20#listInboundPlans"  # no source names its roles


def test_a_finding_on_inferred_roles_says_so_and_is_an_error_by_default(manifest):
    [diagnostic] = checks.check_uses([op_use(INFERRED_OP, 5)], KB, manifest("roles = []"))
    assert (diagnostic.code, diagnostic.confidence, diagnostic.severity) == (
        "SPR101", "inferred", "error")
    assert diagnostic.message == (
        "`listInboundPlans` (Fulfillment Inbound API 2024-03-20) needs a role;"
        " suggest `Amazon Fulfillment` (roles inferred: no source names them;"
        " `spapi-roles explain listInboundPlans`)")


def test_the_manifest_can_make_findings_on_inferred_roles_warnings(manifest):
    uses = [op_use(INFERRED_OP, 5), op_use("InvoicesApiModel_2024-06-19#getInvoices", 6)]
    found_here = checks.check_uses(uses, KB, manifest('roles = []\ninferred = "warning"'))
    assert [(d.line, d.confidence, d.severity) for d in found_here] == [
        (5, "inferred", "warning"), (6, "high", "error")]  # a sourced finding stays an error
    # The command line's choice wins over the manifest's.
    assert checks.with_inferred_level(found_here[0], "error").severity == "error"


def test_confidence_of_a_finding_is_that_of_its_facts(manifest):
    uses = [type_use("feed", "JSON_LISTINGS_FEED", 2), op_use("ordersV0#updateShipmentStatus", 3),
            op_use("InvoicesApiModel_2024-06-19#getInvoices", 4)]
    text = 'roles = []\n[operations]\ngetInvoices = ["Pricing"]'
    assert [(d.line, d.confidence) for d in checks.check_uses(uses, KB, manifest(text))] == [
        (2, "high"), (3, "low"), (4, "manifest")]


def test_duplicate_uses_give_one_diagnostic(manifest):
    use = op_use("InvoicesApiModel_2024-06-19#getInvoices")
    assert len(checks.check_uses([use, use], KB, manifest("roles = []"))) == 1


def test_diagnostic_as_dict_has_the_json_fields():
    d = checks.Diagnostic(
        "a.py", 3, 4, "SPR101", "m", "operation", "getOrders", "Orders API", "v0", ("A", "B")
    )
    assert d.as_dict() == {
        "path": "a.py",
        "line": 3,
        "column": 4,
        "code": "SPR101",
        "level": "error",
        "message": "m",
        "kind": "operation",
        "name": "getOrders",
        "api": "Orders API",
        "version": "v0",
        "required_roles": ["A", "B"],
        "confidence": "high",
        "suggested_role": None,
        "related": [],
    }


def test_roles_needed_is_the_union_of_any_one_of_lists(manifest):
    uses = [
        type_use("feed", "JSON_LISTINGS_FEED"),
        op_use("application_2023-11-30#rotateApplicationClientSecret"),
    ]
    assert checks.roles_needed(uses, KB) == frozenset({IOT, "Product Listing"})


@pytest.mark.parametrize(
    "comment, code, suppressed",
    [
        ("# noqa", "SPR101", True),
        ("# NOQA", "SPR101", True),
        ("# noqa: SPR101", "SPR101", True),
        ("# noqa:SPR101,SPR201", "SPR201", True),
        ("# noqa: SPR1", "SPR101", True),
        ("# noqa: SPR2", "SPR101", False),
        ("# noqa: E501", "SPR101", False),
        ("# a comment", "SPR101", False),
    ],
)
def test_noqa_follows_flake8(comment, code, suppressed):
    assert checks.noqa_suppresses(code, f"x = 1  {comment}") is suppressed


def test_drop_noqa_reads_each_file(tmp_path):
    src = tmp_path / "a.py"
    src.write_text("a()  # noqa: SPR101\nb()\n")
    whole = tmp_path / "b.py"
    whole.write_text("# flake8: noqa\na()\n")
    toml = tmp_path / "spapi-roles.toml"
    toml.write_text('roles = [\n  "Pricing",  # noqa: SPR501\n  "Brand Analytics",\n]\n')

    def diag(path, line, code="SPR101"):
        return checks.Diagnostic(str(path), line, 0, code, "m", "operation", "x")

    diagnostics = [
        diag(src, 1),
        diag(src, 2),
        diag(whole, 2),
        diag(toml, 2, "SPR501"),
        diag(toml, 3, "SPR501"),
        diag(tmp_path / "missing.py", 1),
    ]
    kept, dropped = checks.drop_noqa(diagnostics)
    assert [(d.path, d.line) for d in kept] == [
        (str(src), 2),
        (str(toml), 3),
        (str(tmp_path / "missing.py"), 1),
    ]
    assert dropped == 3
