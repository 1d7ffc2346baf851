"""From uses to diagnostics: what each use needs, and which SPR codes the manifest earns.

``need_of`` turns one engine ``Use`` into what it requires (knowledge base plus manifest
overrides). ``check_uses`` runs the per-file checks for the uses of files governed by one
manifest; ``check_project`` the project-wide ones (unused roles) and ``check_manifest`` the
manifest's own (roles the account cannot hold). Every message comes from ``rules``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import (
    Callable,
    Dict,
    Final,
    FrozenSet,
    Iterable,
    List,
    Literal,
    Optional,
    Sequence,
    Set,
    Tuple,
)

from . import reading, rules
from .knowledge import CONFIDENCES, INFERRED, KnowledgeBase, TypeInfo
from .least_privilege import Plan, Requirement, plan_for_kb
from .manifest import REGIONS, Manifest
from .uses import (
    EVIDENCE_NAME_ONLY,
    EVIDENCE_UNRESOLVED,
    KIND_FEED,
    KIND_NOTIFICATION,
    KIND_OPERATION,
    KIND_REPORT,
    Use,
)

# What a use requires (Need.status).
NeedStatus = Literal[
    "needs-role", "grantless", "unknown", "type-decides", "unresolved", "unmatched"
]
NEEDS_ROLE: Final = "needs-role"        # any one of Need.roles
GRANTLESS: Final = "grantless"          # no role at all
UNKNOWN: Final = "unknown"              # the knowledge base has no role data
TYPE_DECIDES: Final = "type-decides"    # createReport & co: the type uses carry the roles
UNRESOLVED: Final = "unresolved"        # a type argument the engine could not resolve
UNMATCHED: Final = "unmatched"          # not in the knowledge base (engine/data version skew)

# How sure the facts behind a finding are (Diagnostic.confidence): the knowledge base's
# confidence, or "manifest" when the manifest's [operations] / [types] give the roles.
MANIFEST = "manifest"
CONFIDENCE_ORDER = (MANIFEST,) + CONFIDENCES

TYPE_CODES: Dict[str, str] = {
    KIND_REPORT: rules.UNDECLARED_REPORT_ROLE,
    KIND_FEED: rules.UNDECLARED_FEED_ROLE,
    KIND_NOTIFICATION: rules.UNDECLARED_NOTIFICATION_ROLE,
}
ACCOUNT_FLAG = {"seller": "sellers", "vendor": "vendors"}
# The type availability an account type lacks.
UNAVAILABLE_TO = {"seller": "vendor only", "vendor": "seller only"}


@dataclass(frozen=True)
class Diagnostic:
    """One finding, at a 1-based line and 0-based column of ``path``.

    ``required_roles``: every role that grants the use here (any one is enough); ``suggested``:
    the one to add (``least_privilege``), for the codes that suggest one. ``manifest``: the path of
    the manifest the use was checked against ("" when none governs it).
    """

    path: str
    line: int
    column: int
    code: str
    message: str
    kind: str
    name: str
    api: str = ""
    version: str = ""
    required_roles: Tuple[str, ...] = ()
    confidence: str = "high"  # of the facts the finding rests on (CONFIDENCE_ORDER)
    level: str = ""  # "" = the rule's level
    suggested: str = ""
    manifest: str = field(default="", compare=False)
    # what the message is built from, for the codes that suggest a role (``with_suggestions``)
    subject: str = field(default="", compare=False)
    where: str = field(default="", compare=False)
    options: Tuple[str, ...] = field(default=(), compare=False)  # the roles the account can hold
    # where a type that reached this request is written, when elsewhere: (path, line, column)
    related: Tuple[Tuple[str, int, int], ...] = field(default=(), compare=False)

    @property
    def severity(self) -> str:
        """The level this finding is reported at: its own, else its rule's."""
        return self.level or (rules.RULES[self.code].level if self.code in rules.RULES
                              else rules.LEVEL_ERROR)

    def as_dict(self) -> Dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "level": self.severity,
            "message": self.message,
            "kind": self.kind,
            "name": self.name,
            "api": self.api,
            "version": self.version,
            "required_roles": list(self.required_roles),
            "suggested_role": self.suggested or None,
            "confidence": self.confidence,
            "related": [{"path": path, "line": line, "column": column}
                        for path, line, column in self.related],
        }


@dataclass(frozen=True)
class Facts:
    """What the knowledge base says of a use besides its roles: the facts the checks look at."""

    api: str = ""
    version: str = ""
    regions: Tuple[str, ...] = ()
    restricted_data: bool = False
    deprecated: bool = False
    retired: bool = False
    role_regions: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()  # roles granting in some regions
    availability: Optional[str] = None  # types: "seller only", "vendor only", "seller and vendor"
    confidence: str = "unknown"  # of the roles (CONFIDENCE_ORDER)


@dataclass(frozen=True)
class Need:
    """What one use requires (``status``, ``roles``), and the facts behind it."""

    use: Use
    status: NeedStatus
    subject: str
    roles: Tuple[str, ...] = ()
    facts: Facts = Facts()


def _unique(items: Iterable[str]) -> Tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def lowest_confidence(confidences: Iterable[str], default: str = CONFIDENCES[-1]) -> str:
    """The least sure of ``confidences`` (``default`` for none)."""
    return max(confidences, key=CONFIDENCE_ORDER.index, default=default)


def operation_subject(name: str, api: str, version: str) -> str:
    where = " ".join(part for part in (api, version) if part)
    return f"`{name}` ({where})" if where else f"`{name}`"


def unresolved_of(via: str) -> str:
    """SPR902's `` of `createReport` from `kind` `` from the engine's "operation: argument"."""
    operation, _, argument = via.partition(": ")
    if not (operation and argument):
        return ""
    return f" of `{operation}` from `{argument}`"


def type_subject(kind: str, name: str) -> str:
    return f"{kind} type `{name}`" if name else f"{kind} type"


def need_of(use: Use, kb: KnowledgeBase, manifest: Optional[Manifest] = None) -> Need:
    """What ``use`` requires, from the knowledge base and the manifest's overrides."""
    if use.kind == KIND_OPERATION:
        return _operation_need(use, kb, manifest)
    return _type_need(use, kb, manifest)


def _operation_need(use: Use, kb: KnowledgeBase, manifest: Optional[Manifest]) -> Need:
    candidates = [kb.operations[key] for key in use.operation_keys if key in kb.operations]
    if not candidates:
        subject = operation_subject(use.name, use.api, use.version)
        return Need(use, UNMATCHED, subject, facts=Facts(use.api, use.version))
    live = [op for op in candidates if not op.retired] or candidates
    first = live[0]
    versions = _unique(op.version for op in live)
    api = first.api
    version = versions[0] if len(versions) == 1 else use.version
    subject = operation_subject(first.operation_id, api, version)
    regions: Tuple[str, ...] = ()
    if all(op.regions for op in live):
        regions = _unique(region for op in live for region in op.regions)
    facts = Facts(
        api=api,
        version=version,
        regions=regions,
        restricted_data=any(op.restricted_data for op in live),
        deprecated=all(op.deprecated for op in live),
        retired=all(op.retired for op in candidates),
        role_regions=first.role_regions if len(live) == 1 else (),
    )
    overrides = manifest.operation_overrides if manifest is not None else {}
    if first.operation_id in overrides:
        roles = overrides[first.operation_id]
        return Need(use, NEEDS_ROLE if roles else GRANTLESS, subject, roles,
                    replace(facts, confidence=MANIFEST))
    facts = replace(facts, confidence=lowest_confidence(op.confidence for op in live))
    if any(op.type_carrier for op in live):
        return Need(use, TYPE_DECIDES, subject, facts=facts)
    if all(op.grantless for op in live):
        return Need(use, GRANTLESS, subject, facts=facts)
    roles = _unique(role for op in live for role in op.roles)
    return Need(use, NEEDS_ROLE if roles else UNKNOWN, subject, roles, facts)


def _type_need(use: Use, kb: KnowledgeBase, manifest: Optional[Manifest]) -> Need:
    if use.evidence == EVIDENCE_UNRESOLVED or not use.name:
        return Need(use, UNRESOLVED, type_subject(use.kind, ""), facts=Facts(use.api, use.version))
    info = kb.type_named(use.name, use.kind)
    name = info.name if info is not None else use.name
    subject = type_subject(use.kind, name)
    overrides = manifest.type_overrides if manifest is not None else {}
    if name in overrides:
        roles = overrides[name]
        facts = _type_facts(info) if info is not None else Facts()
        return Need(use, NEEDS_ROLE if roles else GRANTLESS, subject, roles,
                    replace(facts, confidence=MANIFEST))
    if info is None:  # a type name not in the data (e.g. one Amazon added later): unknown roles
        return Need(use, UNKNOWN, subject)
    roles = tuple(info.roles)
    return Need(use, NEEDS_ROLE if roles else UNKNOWN, subject, roles, _type_facts(info))


def _type_facts(info: TypeInfo) -> Facts:
    return Facts(regions=tuple(info.regions), restricted_data=info.restricted,
                 deprecated=info.deprecated, role_regions=tuple(info.role_regions),
                 availability=info.availability, confidence=info.confidence)


def available_roles(
    roles: Sequence[str], account: Optional[str], kb: KnowledgeBase
) -> Tuple[str, ...]:
    """The roles of ``roles`` an account of type ``account`` can hold (all without an account)."""
    flag = ACCOUNT_FLAG.get(account or "")
    if flag is None:
        return tuple(roles)
    return tuple(role for role in roles if role not in kb.roles or getattr(kb.roles[role], flag))


def other_roles(roles: Sequence[str], named: str) -> str:
    """What a message says after naming ``named`` of ``roles``: the one other role, or how many
    there are (the full list is in JSON, SARIF and `spapi-roles explain`)."""
    others = [role for role in roles if role != named]
    if not others:
        return ""
    if len(others) == 1:
        return f" or `{others[0]}`"
    return f" or any of {len(others)} other roles"


def roles_text(roles: Sequence[str]) -> str:
    """``roles`` in a message: the first, then the other one or how many others."""
    return f"`{roles[0]}`{other_roles(roles, roles[0])}" if roles else "no role"


def _regions_text(regions: Iterable[str]) -> str:
    return ", ".join(regions)


class Checker:
    """Runs the per-use checks for the uses of files governed by one manifest (or none).

    Regions: a use needs a role that grants it in every region the app runs in: the declared
    ``regions`` where the use is offered, or, without ``regions``, every region it is offered in
    (Amazon's role limits such as "(FE only)" make a role grant it in some regions only).
    """

    def __init__(self, kb: KnowledgeBase, manifest: Optional[Manifest] = None):
        self.kb = kb
        self.manifest = manifest
        self.declared = frozenset(manifest.roles if manifest is not None else ())
        self.account = manifest.account if manifest is not None else None
        self.regions = tuple(manifest.regions) if manifest is not None else ()
        self.manifest_path = manifest.path if manifest is not None else ""
        self.inferred_level = manifest.inferred if manifest is not None else None

    def diagnostic(self, need: Need, code: str, **fields: object) -> Diagnostic:
        use = need.use
        message = rules.rule(code).format(subject=need.subject, kind=use.kind, **fields)
        if need.facts.confidence == INFERRED and "roles" in fields:
            message += inferred_note(use.name)
        return self.leveled(Diagnostic(
            path=use.path,
            line=use.line,
            column=use.column,
            code=code,
            message=message,
            kind=use.kind,
            name=use.name,
            api=need.facts.api,
            version=need.facts.version,
            required_roles=self.roles_here(need),
            confidence=need.facts.confidence,
            manifest=self.manifest_path,
            related=use.related,
        ))

    def leveled(self, diagnostic: Diagnostic) -> Diagnostic:
        """``diagnostic`` at the manifest's ``inferred`` level when it rests on inference."""
        if not self.inferred_level:
            return diagnostic
        return with_inferred_level(diagnostic, self.inferred_level)

    def suggesting(self, need: Need, code: str, roles: Tuple[str, ...],
                   options: Tuple[str, ...]) -> Diagnostic:
        """A finding that suggests one of ``options`` (its message is written by
        ``with_suggestions``, once the least-privilege plan of every finding is known)."""
        use = need.use
        return self.leveled(Diagnostic(
            path=use.path,
            line=use.line,
            column=use.column,
            code=code,
            message="",
            kind=use.kind,
            name=use.name,
            api=need.facts.api,
            version=need.facts.version,
            required_roles=roles,
            confidence=need.facts.confidence,
            manifest=self.manifest_path,
            subject=need.subject,
            where=self.region_note(need, roles),
            options=options,
            related=use.related,
        ))

    def check(self, uses: Iterable[Use]) -> List[Diagnostic]:
        return with_suggestions(self.findings(uses), self.kb)

    def findings(self, uses: Iterable[Use]) -> List[Diagnostic]:
        """The findings of ``uses``, those that suggest a role without their message yet."""
        found: Dict[Tuple[str, int, int, str, str, str], Diagnostic] = {}
        for use in uses:
            for diagnostic in self.check_use(need_of(use, self.kb, self.manifest)):
                key = (diagnostic.path, diagnostic.line, diagnostic.column, diagnostic.code,
                       diagnostic.kind, diagnostic.name)
                found.setdefault(key, diagnostic)
        return sorted(found.values(), key=sort_key)

    def check_use(self, need: Need) -> List[Diagnostic]:
        use = need.use
        if need.status == UNRESOLVED:
            return [self.diagnostic(need, rules.UNRESOLVED_TYPE, of=unresolved_of(use.via))]
        if use.evidence == EVIDENCE_NAME_ONLY:
            if need.status == NEEDS_ROLE and not self.granted(need):
                roles = self.roles_here(need) or need.roles
                options = available_roles(roles, self.account, self.kb) or roles
                return [self.suggesting(need, rules.NAME_ONLY_USE, roles, options)]
            return []
        facts = need.facts
        if facts.retired:
            return [self.diagnostic(need, rules.RETIRED_USE)]
        if self.regions and facts.regions and not set(facts.regions) & set(self.regions):
            found = [self.diagnostic(need, rules.USE_NOT_IN_REGIONS, wanted="the declared regions "
                                     + _regions_text(self.regions),
                                     available=_regions_text(facts.regions))]
        else:
            found = self.role_findings(need)
        if facts.restricted_data:
            found.append(self.diagnostic(need, rules.RESTRICTED_DATA_TOKEN))
        if facts.deprecated:
            found.append(self.diagnostic(need, rules.DEPRECATED_USE))
        return found

    def regions_needed(self, need: Need) -> Tuple[str, ...]:
        """The regions a role must grant the use in: the declared ones where it is offered, or
        every region it is offered in (all three when the data does not say)."""
        offered = need.facts.regions or REGIONS
        if not self.regions:
            return tuple(offered)
        return tuple(region for region in offered if region in self.regions)

    def roles_here(self, need: Need) -> Tuple[str, ...]:
        """The use's roles that grant it in every region it is needed in."""
        limits = dict(need.facts.role_regions)
        if not limits:
            return need.roles
        needed = set(self.regions_needed(need))
        return tuple(role for role in need.roles
                     if role not in limits or needed <= set(limits[role]))

    def granted(self, need: Need) -> bool:
        """Whether the declared roles grant the use in every region it is needed in (a role
        limited to some regions counts there only)."""
        limits = dict(need.facts.role_regions)
        covered: Set[str] = set()
        for role in need.roles:
            if role in self.declared:
                if role not in limits:
                    return True
                covered.update(limits[role])
        return bool(covered) and set(self.regions_needed(need)) <= covered

    def region_note(self, need: Need, roles_here: Tuple[str, ...]) -> str:
        """Where a role must grant the use, said when some of its roles grant it only in some
        regions (" in NA, EU, FE (no `regions` declared; `Amazon Fulfillment` grants it only in
        FE)"); "" otherwise."""
        limits = dict(need.facts.role_regions)
        limited = [role for role in need.roles if role not in roles_here and role in limits]
        if not limited:
            return ""
        declared = [role for role in limited if role in self.declared]
        if declared:
            detail = "; ".join(f"`{role}` grants it only in {_regions_text(limits[role])}"
                               for role in declared)
        else:
            places = {limits[role] for role in limited}
            where = _regions_text(places.pop()) if len(places) == 1 else "some of them"
            count = len(limited)
            roles = f"{count} other roles grant" if count > 1 else "1 other role grants"
            detail = f"{roles} it only in {where}"
        scope = "" if self.regions else "no `regions` declared; "
        return f" in {_regions_text(self.regions_needed(need))} ({scope}{detail})"

    def role_findings(self, need: Need) -> List[Diagnostic]:
        if need.status == UNKNOWN:
            return [self.diagnostic(need, rules.UNKNOWN_ROLES)]
        if need.status != NEEDS_ROLE or self.granted(need):
            return []
        roles_here = self.roles_here(need)
        if not roles_here:
            limits = dict(need.facts.role_regions)
            granting = _unique(region for role in need.roles for region in limits.get(role, ()))
            missing = [region for region in self.regions_needed(need) if region not in granting]
            wanted = _regions_text(missing) + ("" if self.regions else " (no `regions` declared)")
            return [self.diagnostic(need, rules.USE_NOT_IN_REGIONS, wanted=wanted,
                                    available=_regions_text(granting))]
        available = available_roles(roles_here, self.account, self.kb)
        lacking = UNAVAILABLE_TO.get(self.account or "")
        type_unavailable = lacking is not None and need.facts.availability == lacking
        if not available or type_unavailable:
            return [self.diagnostic(need, rules.USE_NOT_AVAILABLE_TO_ACCOUNT,
                                    roles=roles_text(roles_here), account=self.account)]
        code = TYPE_CODES.get(need.use.kind, rules.UNDECLARED_OPERATION_ROLE)
        return [self.suggesting(need, code, roles_here, available)]


# ---------------------------------------------------------------------------- suggestions

SUGGESTING_CODES = (
    rules.UNDECLARED_OPERATION_ROLE,
    rules.UNDECLARED_REPORT_ROLE,
    rules.UNDECLARED_FEED_ROLE,
    rules.UNDECLARED_NOTIFICATION_ROLE,
    rules.NAME_ONLY_USE,
)


def requirement_of(diagnostic: Diagnostic) -> Requirement:
    """What a finding that suggests a role needs, for the least-privilege plan."""
    topic = diagnostic.api if diagnostic.kind == KIND_OPERATION else diagnostic.name
    return Requirement(diagnostic.options, topic,
                       f"{diagnostic.name} ({diagnostic.path}:{diagnostic.line})")


def suggestion_plans(diagnostics: Iterable[Diagnostic], kb: KnowledgeBase
                     ) -> Dict[str, Tuple[Plan, List[Tuple[Diagnostic, Requirement]]]]:
    """Per manifest (path, "" for none), the least-privilege plan for the findings that suggest a
    role, with each finding and its requirement."""
    groups: Dict[str, List[Tuple[Diagnostic, Requirement]]] = {}
    for diagnostic in diagnostics:
        if suggests(diagnostic):
            groups.setdefault(diagnostic.manifest, []).append(
                (diagnostic, requirement_of(diagnostic)))
    return {manifest: (plan_for_kb([requirement for _, requirement in pairs], kb), pairs)
            for manifest, pairs in groups.items()}


def suggests(diagnostic: Diagnostic) -> bool:
    """Whether ``diagnostic`` is a finding that suggests a role."""
    return diagnostic.code in SUGGESTING_CODES and bool(diagnostic.options)


def with_suggestions(diagnostics: Sequence[Diagnostic], kb: KnowledgeBase,
                     plan_of: Optional[Callable[[Diagnostic], Optional[Plan]]] = None
                     ) -> List[Diagnostic]:
    """``diagnostics``, each finding that suggests a role suggesting the role the least-privilege
    plan gives it: ``plan_of(finding)`` (the project's plan, ``project.Suggestions``), else the
    plan of all of ``diagnostics`` (per manifest). What `check --fix` adds and `init` writes."""
    chosen: Dict[int, str] = {}
    for diagnostic in diagnostics:
        plan = plan_of(diagnostic) if plan_of is not None and suggests(diagnostic) else None
        role = plan.role_for(requirement_of(diagnostic)) if plan is not None else None
        if role is not None:
            chosen[id(diagnostic)] = role
    rest = [d for d in diagnostics if id(d) not in chosen]
    for plan, pairs in suggestion_plans(rest, kb).values():
        for diagnostic, requirement in pairs:
            chosen[id(diagnostic)] = plan.role_for(requirement) or diagnostic.options[0]
    return [_suggesting(d, chosen[id(d)]) if id(d) in chosen else d for d in diagnostics]


def _suggesting(diagnostic: Diagnostic, role: str) -> Diagnostic:
    message = rules.rule(diagnostic.code).format(
        subject=diagnostic.subject, where=diagnostic.where, suggested=role,
        others=other_roles(diagnostic.options, role))
    if diagnostic.confidence == INFERRED:
        message += inferred_note(diagnostic.name)
    return replace(diagnostic, suggested=role, message=message)


def inferred_note(name: str) -> str:
    """What a finding on inferred roles adds to its message."""
    return f" (roles inferred: no source names them; `spapi-roles explain {name}`)"


def with_inferred_level(diagnostic: Diagnostic, level: str) -> Diagnostic:
    """``diagnostic`` at ``level`` if it is an error that rests only on inferred roles."""
    if diagnostic.confidence != INFERRED or rules.RULES[diagnostic.code].level != rules.LEVEL_ERROR:
        return diagnostic
    return replace(diagnostic, level="" if level == rules.LEVEL_ERROR else level)


def check_uses(
    uses: Iterable[Use], kb: KnowledgeBase, manifest: Optional[Manifest] = None
) -> List[Diagnostic]:
    """Per-file diagnostics for ``uses`` against ``manifest`` (None: no role is declared)."""
    return Checker(kb, manifest).check(uses)


def roles_needed(
    uses: Iterable[Use], kb: KnowledgeBase, manifest: Optional[Manifest] = None
) -> FrozenSet[str]:
    """Every role that some use could be granted by (the union of their any-one-of lists)."""
    return _roles_needed([need_of(use, kb, manifest) for use in uses])


def _roles_needed(needs: Iterable[Need]) -> FrozenSet[str]:
    return frozenset(role for need in needs if need.status == NEEDS_ROLE for role in need.roles)


def _manifest_diagnostic(manifest: Manifest, role: str, code: str, confidence: str = "high",
                         **fields: object) -> Diagnostic:
    found = Diagnostic(
        path=manifest.path,
        line=manifest.role_lines.get(role, 1),
        column=0,
        code=code,
        message=rules.rule(code).format(role=role, **fields),
        kind="role",
        name=role,
        confidence=confidence,
        manifest=manifest.path,
    )
    return with_inferred_level(found, manifest.inferred) if manifest.inferred else found


def check_manifest(manifest: Manifest, kb: KnowledgeBase) -> List[Diagnostic]:
    """The manifest's own findings: declared roles its account type cannot hold (SPR302).

    The roles page states each role's availability to sellers and vendors.
    """
    if manifest.account not in ACCOUNT_FLAG:
        return []
    allowed = set(available_roles(manifest.roles, manifest.account, kb))
    return [_manifest_diagnostic(manifest, role, rules.ROLE_NOT_AVAILABLE_TO_ACCOUNT,
                                 account=manifest.account)
            for role in manifest.roles if role not in allowed]


# What the engine could not tell the roles of, by Need.status, as SPR501 names them.
_UNSEEN = {
    UNRESOLVED: "unresolved {kind} type{s}",
    UNKNOWN: "use{s} with no known role mapping",
    UNMATCHED: "use{s} missing from the bundled data",
}


def unseen_uses(needs: Iterable[Need]) -> str:
    """The kinds of use whose roles the engine could not tell, counted ("2 unresolved report types
    and 1 use with no known role mapping"); "" when there are none."""
    counts: Dict[str, int] = {}
    for need in needs:
        if need.status in _UNSEEN:
            kind = need.use.kind if need.status == UNRESOLVED else ""
            counts[need.status + kind] = counts.get(need.status + kind, 0) + 1
    parts = []
    for status, template in _UNSEEN.items():
        for key, count in sorted(counts.items()):
            if key.startswith(status):
                counted = key[len(status):]
                plural = "s" if count > 1 else ""
                parts.append(f"{count} " + template.format(kind=counted, s=plural))
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)


def check_project(manifest: Manifest, uses: Iterable[Use], kb: KnowledgeBase) -> List[Diagnostic]:
    """Whole-project findings for ``manifest`` given every use of its project: unused roles,
    naming the kinds of use whose roles the engine could not tell.

    "Unused" is as sure as the least sure roles of the project's uses.
    """
    needs = [need_of(use, kb, manifest) for use in uses]
    needed = _roles_needed(needs)
    confidence = lowest_confidence(
        (need.facts.confidence for need in needs if need.status in (NEEDS_ROLE, UNKNOWN)), "high")
    unseen = unseen_uses(needs)
    note = f"; the engine could not tell the roles of {unseen}" if unseen else ""
    return [_manifest_diagnostic(manifest, role, rules.UNUSED_ROLE, confidence, unseen=note)
            for role in manifest.roles if role not in needed]


def sort_key(diagnostic: Diagnostic) -> Tuple[str, int, int, str, str]:
    return (diagnostic.path, diagnostic.line, diagnostic.column, diagnostic.code, diagnostic.name)


def read_lines(path: str) -> List[str]:
    """The lines of ``path`` decoded and split as flake8 reads them (``reading``: the parser's
    line breaks, not ``str.splitlines``'); [] if unreadable."""
    try:
        return reading.split_lines(reading.read_source(path))
    except reading.ReadError:
        return []


def noqa_suppresses(code: str, line_text: str) -> bool:
    """flake8's inline rule: a bare ``# noqa``, or ``# noqa: X`` with X a prefix of ``code``."""
    from flake8.defaults import NOQA_INLINE_REGEXP  # here: a run without findings never needs it

    match = NOQA_INLINE_REGEXP.search(line_text)
    if match is None:
        return False
    listed = match.group("codes")
    if listed is None:
        return True
    return code.startswith(tuple(item for item in re.split(r"[,\s]+", listed) if item))


def drop_noqa(diagnostics: Iterable[Diagnostic], sources: Optional[Dict[str, str]] = None
              ) -> Tuple[List[Diagnostic], int]:
    """The diagnostics not silenced by ``# noqa`` on their line (or ``# flake8: noqa`` in a
    Python file), and how many were. ``sources``: texts to read instead of the files (stdin)."""
    from flake8.defaults import NOQA_FILE

    files: Dict[str, Tuple[List[str], bool]] = {}
    kept: List[Diagnostic] = []
    dropped = 0
    for diagnostic in diagnostics:
        if diagnostic.path not in files:
            given = (sources or {}).get(diagnostic.path)
            lines = read_lines(diagnostic.path) if given is None else reading.split_lines(given)
            whole_file = diagnostic.path.endswith(".py") and any(map(NOQA_FILE.match, lines))
            files[diagnostic.path] = (lines, whole_file)
        lines, file_noqa = files[diagnostic.path]
        line_text = lines[diagnostic.line - 1] if 0 < diagnostic.line <= len(lines) else ""
        if file_noqa or noqa_suppresses(diagnostic.code, line_text):
            dropped += 1
        else:
            kept.append(diagnostic)
    return kept, dropped
