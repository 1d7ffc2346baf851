"""Summaries people read: `check --format markdown` (a pull request comment or a GitHub job
summary) and the role request (`spapi-roles request`, `why --format markdown`).

The check summary opens with a one-line verdict, then the roles the findings call for, grouped by
role (the least-privilege choice `--fix` would make), each with its operations, types and call
sites, restricted roles marked with what Amazon asks of them; other findings follow in a table.
It stays under ``SUMMARY_LIMIT`` bytes (GitHub rejects a step summary over 1 MiB): rows past the
limit are left out and counted.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections import defaultdict
from dataclasses import dataclass
from typing import (
    TYPE_CHECKING,
    Callable,
    Dict,
    List,
    Optional,
    Sequence,
    TextIO,
    Tuple,
    TypedDict,
)

from . import __version__, checks
from .reading import printable

if TYPE_CHECKING:
    from .checks import Diagnostic, Need
    from .formats import Report
    from .knowledge import KnowledgeBase
    from .project import Analysis

SUMMARY_LIMIT = 1_000_000  # bytes; GitHub's step summary limit is 1 MiB (1,048,576)
ROLES_PAGE = "https://developer-docs.amazon.com/sp-api/docs/roles-in-the-selling-partner-api"
PII_ROLES_PAGE = "https://developer-docs.amazon.com/sp-api/docs/applying-for-pii-roles"
TOKENS_GUIDE = "https://developer-docs.amazon.com/sp-api/docs/tokens-api-use-case-guide"
RESTRICTED_ROLE_ASKS = (
    "Restricted role: Amazon asks for additional information about your data use and security "
    f"controls ([roles page]({ROLES_PAGE})) and reviews the application (business criteria, "
    "security questions, a security architecture review) before granting it "
    f"([applying for restricted roles]({PII_ROLES_PAGE})); calls that return personally "
    "identifiable information (PII) also need a Restricted Data Token "
    f"([Tokens API]({TOKENS_GUIDE}))."
)
RDT_NOTE = "returns PII: call it with a Restricted Data Token"
TYPE_ACTIONS = {"report": "Requests this report.", "feed": "Submits this feed.",
                "notification": "Subscribes to this notification."}


class Summaries(TypedDict):
    """data/summaries.json: its source (repository, commit, date, license) and the operations'
    descriptions by knowledge-base key."""

    source: Dict[str, str]
    operations: Dict[str, str]


_SUMMARIES: Optional[Summaries] = None
SUMMARIES_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                              "summaries.json")

Link = Callable[[str, int], Optional[str]]  # (path, line) -> URL of that line, or None


def _cell(text: str) -> str:
    """``text`` fit for a markdown table cell."""
    return printable(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    return f"{fence}{printable(text)}{fence}"


def _site(path: str, line: int, link: Optional[Link]) -> str:
    text = f"{path}:{line}"
    url = link(path, line) if link else None
    return f"[{_cell(text)}]({url})" if url else _code(text)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


class Budget:
    """Lines of markdown up to ``limit`` bytes; lines past it are counted, not kept."""

    def __init__(self, limit: int):
        self.limit = limit
        self.lines: List[str] = []
        self.size = 0
        self.left_out = 0

    def add(self, line: str, reserve: int = 0) -> bool:
        cost = len(line.encode("utf-8", "surrogatepass")) + 1
        if self.left_out or self.size + cost + reserve > self.limit:
            self.left_out += 1
            return False
        self.lines.append(line)
        self.size += cost
        return True

    def text(self, note: str) -> str:
        lines = list(self.lines)
        if self.left_out:
            lines += ["", note.format(count=self.left_out)]
        return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- the check summary


def subject_of(diagnostic: "Diagnostic") -> str:
    """What a finding is about, e.g. "`getOrders` (Orders API v0)" or "report type `X`"."""
    if diagnostic.kind == "operation":
        return checks.operation_subject(diagnostic.name, diagnostic.api, diagnostic.version)
    if diagnostic.kind == "role":
        return f"role `{diagnostic.name}`"
    return checks.type_subject(diagnostic.kind, diagnostic.name)


def group_by_role(diagnostics: Sequence["Diagnostic"]
                  ) -> Tuple[Dict[str, List["Diagnostic"]], List["Diagnostic"]]:
    """The findings that suggest a role under the role they suggest (the least-privilege plan
    `check --fix` follows), in alphabetical order of the roles, and the other findings."""
    grouped: Dict[str, List["Diagnostic"]] = {}
    others = []
    for diagnostic in diagnostics:
        if diagnostic.code in checks.SUGGESTING_CODES and diagnostic.suggested:
            grouped.setdefault(diagnostic.suggested, []).append(diagnostic)
        else:
            others.append(diagnostic)
    return dict(sorted(grouped.items())), others


def roles_to_request(diagnostics: Sequence["Diagnostic"]) -> List[str]:
    """The roles the findings suggest adding, alphabetically."""
    return list(group_by_role(diagnostics)[0])


def _verdict(report: "Report", grouped: Dict[str, List["Diagnostic"]],
             others: List["Diagnostic"]) -> str:
    who = "This change" if report.change is not None else "The code checked"
    if grouped:
        sites = sum(len(found) for found in grouped.values())
        files = len({d.path for found in grouped.values() for d in found})
        roles = ", ".join(_code(role) for role in grouped)
        text = (f"**{who} needs {_plural(len(grouped), 'role')} the manifest does not declare:** "
                f"{roles} ({_plural(sites, 'call site')} in {_plural(files, 'file')})")
    else:
        text = f"**{who} needs no role the manifest does not declare**"
    if others:
        text += f"; {_plural(len(others), 'other finding')}"
    return text + "."


def _restricted_note(kb: "KnowledgeBase", role: str) -> Optional[str]:
    found = kb.roles.get(role)
    return f"> {RESTRICTED_ROLE_ASKS}" if found is not None and found.restricted else None


def _restricted_data(diagnostic: "Diagnostic", kb: "KnowledgeBase") -> bool:
    """Whether the operation or type of a finding returns restricted data (PII)."""
    if diagnostic.kind == "operation":
        return any(op.restricted_data for op in kb.operations_named(diagnostic.name)
                   if op.api == diagnostic.api and (not diagnostic.version
                                                    or op.version == diagnostic.version))
    info = kb.type_named(diagnostic.name, diagnostic.kind)
    return bool(info and info.restricted)


def render_summary(report: "Report", stream: TextIO, root: str,
                   limit: int = SUMMARY_LIMIT, link: Optional[Link] = None) -> None:
    """``report`` as markdown (``check --format markdown``)."""
    from . import formats, knowledge

    kb = knowledge.load()
    grouped, others = group_by_role(report.diagnostics)
    budget = Budget(limit - 200)  # room for the note on what was left out
    budget.add("### spapi-roles")
    budget.add("")
    budget.add(_verdict(report, grouped, others))
    budget.add("")
    details = formats.summary_line(report)
    budget.add(f"<sub>{_cell(details)}</sub>")
    if report.change is not None:
        for path, roles in report.change.roles_declared.items():
            budget.add("")
            budget.add(f"The change declares {', '.join(_code(r) for r in roles)} in "
                       f"{_code(path)}: the app registration must hold "
                       f"{'it' if len(roles) == 1 else 'them'} before this ships "
                       "(`spapi-roles request` writes the justification).")
    for role, found in grouped.items():
        budget.add("")
        restricted = kb.roles.get(role) is not None and kb.roles[role].restricted
        budget.add(f"#### {_code(role)}" + (" (restricted)" if restricted else ""))
        note = _restricted_note(kb, role)
        if note:
            budget.add("")
            budget.add(note)
        budget.add("")
        budget.add("| Call site | Uses | Also granted by | Code |")
        budget.add("|---|---|---|---|")
        for d in found:
            also = ", ".join(r for r in d.required_roles if r != role) or "no other role"
            uses = _cell(subject_of(d)) + (f" ({RDT_NOTE})" if _restricted_data(d, kb) else "")
            budget.add(f"| {_site(d.path, d.line, link)} | {uses} | {_cell(also)} | {d.code} |")
    if others:
        budget.add("")
        budget.add("#### Other findings")
        budget.add("")
        budget.add("| Call site | Code | Finding |")
        budget.add("|---|---|---|")
        for d in others:
            budget.add(f"| {_site(d.path, d.line, link)} | {d.code} | {_cell(d.message)} |")
    stream.write(budget.text("… {count} more lines not shown (the summary stays under GitHub's "
                             "1 MiB limit); the job log and the SARIF file list every finding."))


# ---------------------------------------------------------------------------- the role request


def summaries() -> Summaries:
    """The operations' one-sentence descriptions from Amazon's models (data/summaries.json)."""
    global _SUMMARIES
    if _SUMMARIES is None:
        with open(SUMMARIES_PATH, encoding="utf-8") as handle:
            _SUMMARIES = json.load(handle)
    return _SUMMARIES


@dataclass
class Site:
    """One use that a role grants: what it needs, where it is, and whether a role its manifest
    declares (other than the role asked about) grants it already."""

    need: "Need"
    path: str
    line: int
    covered: bool


def sites_for(role: str, analysis: Analysis) -> List[Site]:
    """Every use in ``analysis`` that ``role`` grants: the role is one of its any-one-of roles
    in the regions its manifest declares (as the checks count them)."""
    found: List[Site] = []
    checkers: Dict[Optional[str], checks.Checker] = {}
    for use in analysis.uses:
        manifest = analysis.manifest_of.get(use.path)
        key = manifest.path if manifest is not None else None
        if key not in checkers:
            checkers[key] = checks.Checker(analysis.kb, manifest)
        checker = checkers[key]
        need = checks.need_of(use, analysis.kb, manifest)
        roles = checker.roles_here(need)
        if need.status == checks.NEEDS_ROLE and role in roles:
            need = dataclasses.replace(need, roles=roles)
            found.append(Site(need, use.path, use.line,
                              bool((checker.declared - {role}) & set(roles))))
    return found


def what_it_does(need: "Need", kb: "KnowledgeBase") -> str:
    """Amazon's one-sentence description of an operation, or what using a type means."""
    use = need.use
    if use.kind in TYPE_ACTIONS:
        return TYPE_ACTIONS[use.kind]
    texts = summaries()["operations"]
    for key in use.operation_keys:
        if key in texts:
            return texts[key]
    return "(no description: not in Amazon's current API models)"


def _exposes(need: "Need") -> bool:
    return need.facts.restricted_data


def role_request(roles: Sequence[str], analysis: Analysis, where: str,
                 link: Optional[Link] = None) -> str:
    """The role request document for ``roles`` (canonical names) over ``analysis``."""
    kb = analysis.kb
    source = summaries()["source"]
    lines = [
        "# SP-API role request",
        "",
        f"What the code in {_code(where)} does with "
        + ("the role" if len(roles) == 1 else f"each of the {len(roles)} roles")
        + " asked for, for the app registration's roles and the developer profile's use case "
        f"(found by a static analysis: spapi-roles {__version__}).",
    ]
    for role_name in roles:
        role = kb.roles[role_name]
        granted = sites_for(role_name, analysis)
        sites = [site for site in granted if not site.covered]
        lines += ["", f"## {role.name}", "", f"> {role.description} ([Amazon]({ROLES_PAGE}))", ""]
        exposing = [site for site in sites if _exposes(site.need)]
        if role.restricted:
            lines.append(f"**Restricted:** yes. {RESTRICTED_ROLE_ASKS}")
        else:
            lines.append("**Restricted:** no.")
        lines.append("")
        if exposing:
            subjects = sorted({site.need.subject for site in exposing})
            lines.append("**Data it exposes:** personally identifiable information (PII) through "
                         + ", ".join(subjects) + f" ({RDT_NOTE}).")
        elif role.restricted:
            lines.append("**Data it exposes:** may include PII (Amazon's description above); "
                         "none of the uses below returns restricted data by itself.")
        else:
            lines.append("**Data it exposes:** no restricted data (PII) in the uses below.")
        lines.append("")
        covered = len(granted) - len(sites)
        also = (f"It would also grant {_plural(covered, 'more use')} that roles the manifest "
                "declares already grant." if covered else "")
        if not sites:
            lines.append(" ".join(filter(None, ["No checked code needs this role.", also])))
            continue
        by_subject: Dict[str, List[Site]] = defaultdict(list)
        for site in sites:
            by_subject[site.need.subject].append(site)
        lines.append("What the app does with it that no other role the manifest declares grants "
                     f"({_plural(len(sites), 'call site')}):")
        lines.append("")
        lines.append("| Use | What it does | Call sites | Other roles that grant it |")
        lines.append("|---|---|---|---|")
        for subject, group in by_subject.items():
            need = group[0].need
            others = ", ".join(r for r in need.roles if r != role.name) or "none"
            places = ", ".join(_site(site.path, site.line, link) for site in group)
            lines.append(f"| {_cell(subject)} | {_cell(what_it_does(need, kb))} | {places} | "
                         f"{_cell(others)} |")
        if also:
            lines += ["", also]
    lines += [
        "",
        f"<sub>Role descriptions: Amazon's [roles page]({ROLES_PAGE}). What each operation does: "
        f"the first sentence of its description in Amazon's API models "
        f"({source['repository'].replace('https://github.com/', '')} at "
        f"{source['commit'][:12]}, {source['commit_date'][:10]}).</sub>",
    ]
    return "\n".join(lines) + "\n"
