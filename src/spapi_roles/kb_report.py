"""Views of the knowledge base: ``data export``, ``data coverage`` and ``explain``."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from typing import Any, Dict, Iterable, List, Optional, TextIO, Tuple

from .knowledge import (
    CONFIDENCES,
    INFERRED,
    INFERRED_TIER,
    UNKNOWN_NOTE,
    KnowledgeBase,
    Operation,
    Role,
    Source,
    TypeInfo,
    load,
)
from .uses import TYPE_KINDS

TIER_NAMES = {
    1: "current role table or grantless list",
    2: "current Amazon guide, tutorial or roles page",
    3: "Amazon's 2022 role lists",
    4: "statement naming the whole API",
    5: "third party",
    INFERRED_TIER: "inference (no source names this operation's roles)",
}
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


# ---------------------------------------------------------------------- export


def _source_dict(source: Source) -> Dict[str, Any]:
    return {"ref": source.ref, "date": source.date or None, "kind": source.kind}


def _regions_dict(pairs: Iterable[Tuple[str, Tuple[str, ...]]]) -> Dict[str, List[str]]:
    return {role: list(regions) for role, regions in pairs}


def role_record(role: Role) -> Dict[str, Any]:
    return {
        "name": role.name,
        "aliases": list(role.aliases),
        "restricted": role.restricted,
        "sellers": role.sellers,
        "vendors": role.vendors,
        "description": role.description,
        "sources": [_source_dict(s) for s in role.sources],
    }


def operation_record(op: Operation) -> Dict[str, Any]:
    return {
        "key": op.key,
        "api": op.api,
        "version": op.version,
        "operation": op.operation_id,
        "method": op.method,
        "path": op.path,
        "roles": list(op.roles),
        "grantless": op.grantless,
        "restricted_data": op.restricted_data,
        "deprecated": op.deprecated,
        "retired": op.retired,
        "in_models": op.in_models,
        "type_carrier": op.type_carrier,
        "type_argument": op.type_argument,
        "regions": list(op.regions),
        "role_regions": _regions_dict(op.role_regions),
        "sources": [_source_dict(s) for s in op.sources],
        "confidence": op.confidence,
        "notes": list(op.notes),
    }


def type_record(info: TypeInfo) -> Dict[str, Any]:
    return {
        "kind": info.kind,
        "name": info.name,
        "aliases": list(info.aliases),
        "roles": list(info.roles),
        "regions": list(info.regions),
        "role_regions": _regions_dict(info.role_regions),
        "restricted": info.restricted,
        "deprecated": info.deprecated,
        "possibly_retired": info.possibly_retired,
        "availability": info.availability,
        "sources": [_source_dict(s) for s in info.sources],
        "confidence": info.confidence,
        "notes": list(info.notes),
    }


def export_json(stream: TextIO, kb: Optional[KnowledgeBase] = None) -> None:
    """Write the whole knowledge base as one JSON document (sorted, stable)."""
    kb = kb or load()
    doc = {
        "data_version": kb.data_version,
        "roles": [role_record(kb.roles[name]) for name in sorted(kb.roles)],
        "mentioned_roles": [
            {
                "name": m.name,
                "note": m.note,
                "may_mean": m.may_mean,
                "sources": [_source_dict(s) for s in m.sources],
            }
            for m in sorted(kb.mentioned_roles.values(), key=lambda m: m.name)
        ],
        "operations": [operation_record(kb.operations[key]) for key in sorted(kb.operations)],
        "types": [type_record(kb.types[key]) for key in sorted(kb.types)],
    }
    json.dump(doc, stream, indent=2, sort_keys=True, ensure_ascii=False)
    stream.write("\n")


# ---------------------------------------------------------------------- coverage


def _percent(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "n/a"


def coverage(kb: Optional[KnowledgeBase] = None) -> Dict[str, Any]:
    """Counts behind ``data coverage`` (also used by tests)."""
    kb = kb or load()
    current = [op for op in kb.operations.values() if op.in_models]
    by_conf = Counter(op.confidence for op in current if op.known)
    grantless = Counter(op.confidence for op in current if op.grantless)
    unknown = sorted((op for op in current if not op.known), key=lambda op: op.key)
    types_by_kind = {kind: [t for t in kb.types.values() if t.kind == kind] for kind in TYPE_KINDS}
    return {
        "current": len(current),
        "known": sum(by_conf.values()),
        "by_confidence": dict(by_conf),
        "grantless_by_confidence": dict(grantless),
        "unknown": unknown,
        "unknown_type_dependent": [op for op in unknown if op.type_carrier],
        "retired": [op for op in kb.operations.values() if op.retired],
        "client_only": [op for op in kb.operations.values() if not op.in_models and not op.retired],
        "types": types_by_kind,
    }


def _with_roles(ops: List[Operation]) -> str:
    """"N with roles or grantless (S sourced, I inferred)" for a list of operations."""
    known = [op for op in ops if op.known]
    inferred = sum(op.confidence == INFERRED for op in known)
    return (f"{len(known)} with roles or grantless"
            f" ({len(known) - inferred} sourced, {inferred} inferred)")


def _unknown_lines(ops: Iterable[Operation]) -> List[str]:
    """Unknown operations grouped by API version and reason."""
    groups: Dict[Tuple[str, str, str], List[str]] = defaultdict(list)
    for op in ops:
        name = op.operation_id + (f" (roles from the {op.type_carrier} type)"
                                  if op.type_carrier else "")
        groups[(op.api, op.version, op.unknown_reason)].append(name)
    lines = []
    for (api, version, reason), names in sorted(groups.items()):
        lines.append(f"  {api} {version}: {', '.join(names)}")
        if reason:
            lines.append(f"      why: {reason}")
    return lines


def print_coverage(stream: TextIO, kb: Optional[KnowledgeBase] = None) -> None:
    """How many operations and types have roles (or are grantless), by confidence; the unknown."""
    kb = kb or load()
    figures = coverage(kb)
    total, known = figures["current"], figures["known"]
    inferred = figures["by_confidence"].get(INFERRED, 0)
    out = [
        f"SP-API knowledge base {kb.data_version}",
        "",
        f"Operations in the current models: {total}",
        f"  roles known or grantless: {known} ({_percent(known, total)}):"
        f" sourced {known - inferred} ({_percent(known - inferred, total)}),"
        f" inferred {inferred} ({_percent(inferred, total)})",
    ]
    for confidence in CONFIDENCES[:-1]:
        count = figures["by_confidence"].get(confidence, 0)
        free = figures["grantless_by_confidence"].get(confidence, 0)
        extra = f" (of which grantless: {free})" if free else ""
        out.append(f"    {confidence:<8} {count:>4}{extra}")
    unknown = figures["unknown"]
    carriers = figures["unknown_type_dependent"]
    out.append(
        f"  unknown: {len(unknown)} ({_percent(len(unknown), total)})"
        + (f"; {len(carriers)} of them take their roles from the type argument" if carriers else "")
    )
    for label, ops in (
        ("Retired operations that clients still call", figures["retired"]),
        ("Operations newer than the models (known from clients)", figures["client_only"]),
    ):
        out.append(f"{label}: {len(ops)} ({_with_roles(ops)})")
    out += ["", "Types:"]
    for kind, infos in figures["types"].items():
        counts = Counter(t.confidence for t in infos)
        detail = ", ".join(f"{c} {counts.get(c, 0)}" for c in CONFIDENCES if c != INFERRED)
        with_roles = sum(1 for t in infos if t.roles)
        out.append(
            f"  {kind:<12} {len(infos):>4}  with roles {with_roles:>4}"
            f" ({_percent(with_roles, len(infos))}): {detail}"
        )
    out += ["", f"Current operations with unknown roles ({len(unknown)}):"]
    out += _unknown_lines(unknown)
    newer = [op for op in figures["client_only"] if not op.known]
    out += ["", f"Operations newer than the models with unknown roles ({len(newer)}):"]
    out += _unknown_lines(newer)
    unknown_types = sorted(
        (t for infos in figures["types"].values() for t in infos if not t.roles),
        key=lambda t: (t.kind, t.name),
    )
    out += ["", f"Types with unknown roles ({len(unknown_types)}):"]
    for info in unknown_types:
        out.append(f"  {info.kind} {info.name}")
        out += [f"      note: {note}" for note in info.notes]
    out += [
        "",
        "A type name that is not in the data at all (e.g. one Amazon added later) is unknown too.",
        "Uses with unknown roles pass unchecked; `--extend-select SPR301` lists them.",
    ]
    stream.write("\n".join(out) + "\n")


# ---------------------------------------------------------------------- explain


def _sources_lines(sources: Iterable[Source], indent: str = "    ") -> List[str]:
    """One line per source; files of one folder at one commit (the 2022 role files) share a line."""
    groups: Dict[Tuple[str, str, str], List[str]] = defaultdict(list)
    for source in sources:
        folder, _, leaf = source.ref.rpartition("/")
        if "@" in folder and source.kind == "roles-2022":
            groups[(folder + "/", source.kind, source.date)].append(leaf)
        else:
            groups[(source.ref, source.kind, source.date)].append("")
    lines = []
    for (ref, kind, date), leaves in sorted(groups.items()):
        files = [leaf for leaf in leaves if leaf]
        shown = f"{ref}{{{','.join(files)}}}" if len(files) > 1 else ref + "".join(files)
        lines.append(f"{indent}- {shown} ({kind}{', ' + date if date else ''})")
    return lines


def _roles_text(roles: Iterable[str], limits: Dict[str, Tuple[str, ...]]) -> str:
    return ", ".join(
        role + (f" ({'/'.join(limits[role])} only)" if role in limits else "") for role in roles
    )


def _explain_operation(kb: KnowledgeBase, op: Operation) -> List[str]:
    state = ["retired" if op.retired else ("deprecated" if op.deprecated else "")]
    if not op.in_models and not op.retired:
        state.append("not in the models snapshot")
    flags = ", ".join(s for s in state if s)
    lines = [
        f"{op.operation_id} — {op.api} {op.version}{f' ({flags})' if flags else ''}",
        f"  {op.method} {op.path}",
        f"  key: {op.key}",
    ]
    limits = dict(op.role_regions)
    if op.grantless:
        lines.append(f"  grantless: no role needed (confidence {op.confidence})")
    elif op.roles:
        how = f"confidence {op.confidence}" + (
            ": no source names them, see the inference below" if op.confidence == INFERRED else "")
        lines.append(f"  roles (any one grants; {how}): {_roles_text(op.roles, limits)}")
    else:
        reason = f"; {op.unknown_reason}" if op.unknown_reason else ""
        lines.append(f"  roles: unknown (no source states them{reason})")
    if op.type_carrier:
        lines.append(
            f"  the {op.type_argument} argument decides the roles:"
            f" each {op.type_carrier} type has its own"
            + (" (explain the type name)" if op.type_carrier != "query" else "")
        )
    if op.regions:
        lines.append(f"  regions: {', '.join(op.regions)}")
    if op.restricted_data:
        lines.append("  needs a Restricted Data Token (restricted data / PII)")
    for note in op.notes:
        if note != f"{UNKNOWN_NOTE}{op.unknown_reason}":
            lines.append(f"  note: {note}")
    evidence = kb.evidence(op)
    if evidence:
        lines.append("  what the sources say:")
        by_tier: Dict[int, List[str]] = defaultdict(list)
        notes_by_tier: Dict[int, List[str]] = defaultdict(list)
        grantless_tiers = set()
        for item in evidence:
            by_tier[item.tier].extend(r for r in item.roles if r not in by_tier[item.tier])
            if item.note and item.note not in notes_by_tier[item.tier]:
                notes_by_tier[item.tier].append(item.note)
            if item.grantless:
                grantless_tiers.add(item.tier)
        for tier in sorted(by_tier):
            named = ", ".join(sorted(by_tier[tier]))
            label = "; ".join(
                x for x in ("grantless" if tier in grantless_tiers else "", named) if x
            )
            rejected = sorted(set(by_tier[tier]) - set(op.roles))
            extra = (
                f" (not adopted: {', '.join(rejected)})" if rejected and not op.grantless else ""
            )
            lines.append(
                f"    {TIER_NAMES.get(tier, tier)}: {label or '(no role of the 17)'}{extra}"
            )
            lines += [f"      · {note}" for note in notes_by_tier[tier]]
    lines.append("  sources:")
    lines += _sources_lines(op.sources)
    return lines


def _explain_type(info: TypeInfo) -> List[str]:
    flags = [
        flag
        for flag, on in (
            ("deprecated", info.deprecated),
            ("possibly retired", info.possibly_retired),
            ("restricted report", info.restricted),
        )
        if on
    ]
    suffix = f" ({', '.join(flags)})" if flags else ""
    lines = [f"{info.name} — {info.kind} type{suffix}"]
    if info.aliases:
        lines.append(f"  other spellings: {', '.join(info.aliases)}")
    if info.roles:
        lines.append(
            f"  roles (any one grants; confidence {info.confidence}): "
            f"{_roles_text(info.roles, dict(info.role_regions))}"
        )
    else:
        lines.append("  roles: unknown (no source states them)")
    if info.regions:
        lines.append(f"  regions: {', '.join(info.regions)}")
    if info.availability:
        lines.append(f"  availability: {info.availability}")
    if info.restricted:
        lines.append("  getReportDocument for this report needs a Restricted Data Token")
    for note in info.notes:
        lines.append(f"  note: {note}")
    lines.append("  sources:")
    lines += _sources_lines(info.sources)
    return lines


def _explain_role(kb: KnowledgeBase, role: Role) -> List[str]:
    ops, types = kb.granted_by(role.name)
    who = " and ".join(w for w, on in (("sellers", role.sellers), ("vendors", role.vendors)) if on)
    lines = [
        f"{role.name} — SP-API role{' (restricted: PII)' if role.restricted else ''}",
        f"  available to {who or 'nobody'}",
        f"  {role.description}",
    ]
    if role.aliases:
        lines.append(f"  other spellings: {', '.join(role.aliases)}")
    current = [op for op in ops if op.in_models]
    lines.append(
        f"  grants {len(current)} current operations"
        f" (and {len(ops) - len(current)} retired or client-only), "
        f"{len(types)} types:"
    )
    by_api: Dict[Tuple[str, str], List[str]] = defaultdict(list)
    for op in ops:
        by_api[(op.api, op.version)].append(
            op.operation_id + ("" if op.in_models else " (retired)" if op.retired else "")
        )
    for (api, version), names in sorted(by_api.items()):
        lines.append(f"    {api} {version}: {', '.join(names)}")
    for kind in TYPE_KINDS:
        names = [t.name for t in types if t.kind == kind]
        if names:
            lines.append(f"    {kind} types ({len(names)}): {', '.join(names)}")
    lines.append("  sources:")
    lines += _sources_lines(role.sources)
    return lines


def explain(name: str, kb: Optional[KnowledgeBase] = None) -> Optional[str]:
    """Plain text about an operationId, "METHOD /path", KB key, type or role; None if unknown."""
    kb = kb or load()
    text = name.strip()
    if not text:
        return None
    ops: List[Operation] = []
    http = re.match(r"^(" + "|".join(HTTP_METHODS) + r")\s+(\S+)$", text, re.I)
    if http:
        ops = kb.match_http(http.group(1), http.group(2))
    elif text in kb.operations:
        ops = [kb.operations[text]]
    else:
        ops = kb.operations_named(text)
        if not ops:
            folded = {op.operation_id.lower() for op in kb.operations.values()}
            if text.lower() in folded:
                ops = [
                    op
                    for key, op in sorted(kb.operations.items())
                    if op.operation_id.lower() == text.lower()
                ]
    if ops:
        header = [f"{len(ops)} operations match `{text}`:", ""] if len(ops) > 1 else []
        blocks = ["\n".join(_explain_operation(kb, op)) for op in ops]
        return "\n".join(header) + "\n\n".join(blocks) + "\n"
    types = [
        info for kind in TYPE_KINDS for info in [kb.type_named(text, kind)] if info is not None
    ]
    if types:
        return "\n\n".join("\n".join(_explain_type(info)) for info in types) + "\n"
    role = kb.role_named(text)
    if role is not None:
        return "\n".join(_explain_role(kb, role)) + "\n"
    mentioned = kb.mentioned_role(text)
    if mentioned is not None:
        lines = [
            f"{mentioned.name} — a role name Amazon's pages mention;"
            " not one of the 17 SP-API roles",
            f"  {mentioned.note}",
        ]
        if mentioned.may_mean:
            lines.append(f"  it may mean: {mentioned.may_mean}")
        lines.append("  sources:")
        lines += _sources_lines(mentioned.sources)
        return "\n".join(lines) + "\n"
    return None
