"""Property-based fuzzing: hypothesmith programs with SP-API fragments spliced in never make the
engine or the flake8 plugin raise, and the real CLI and flake8 survive a sample of them.

Each generated program is analysed in three variants (a fragment before it, a fragment spliced
in at a random line with that line's indentation, and its identifiers renamed to SP-API names
with a fragment after it), so the parser, the resolver and the checks run on the odd program,
not just the substring prefilter. Both generators run at once, each in a forked child (a native
parser crash fails the test and names the last program instead of killing the run). Default
run: 2,000 programs; ``--run-slow``: 25,000.
"""

from __future__ import annotations

import ast
import keyword
import re
import warnings
from pathlib import Path
from typing import Dict, List

import hypothesmith
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bad_inputs import counts, harness, inprocess

FRAGMENTS = [
    "from sp_api.api import Orders\nOrders().get_orders(CreatedAfter='2024-01-01')\n",
    "from sp_api.api import Reports\nfrom sp_api.base import ReportType\n"
    "Reports().create_report(reportType=ReportType.GET_FLAT_FILE_OPEN_LISTINGS_DATA)\n",
    "from sp_api.api import Feeds\nFeeds().submit_feed('POST_PRODUCT_DATA', file)\n",
    "import sp_api.api as a\nclient = a.Products()\nclient.get_competitive_pricing_for_asins(x)\n",
    "from spapi.api.orders_v0 import orders_v0_api\n"
    "orders_v0_api.OrdersV0Api(api_client).get_orders(marketplace_ids=['A1'])\n",
    "import requests\nrequests.get('https://sellingpartnerapi-na.amazon.com/orders/v0/orders')\n",
    "REPORT = 'GET_MERCHANT_LISTINGS_ALL_DATA'\n",
    "from amzn_selling_partner import SellingPartner\nSellingPartner().orders.get_orders()\n",
    "from sp_api.api import Orders\nname = 'get_orders'\ngetattr(Orders(), name)()\n",
    "from sp_api.api import Reports as R\nclass C(R):\n    pass\nC().create_report(reportType=T)\n",
]
NAMES = ["Orders", "Reports", "Feeds", "get_orders", "create_report", "submit_feed", "ReportType",
         "FeedType", "sp_api", "requests", "getattr", "self", "client", "Products",
         "GET_FLAT_FILE_OPEN_LISTINGS_DATA", "reportType", "SellingPartner", "api"]
_IDENTIFIER = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
_RESERVED = frozenset(keyword.kwlist + getattr(keyword, "softkwlist", []))

DEFAULT_EXAMPLES = {"grammar": 1650, "node": 350}  # about equal time each
SLOW_EXAMPLES = {"grammar": 20000, "node": 5000}
CHILD_TIMEOUT_SECONDS = {"default": 900, "slow": 4 * 3600}
SAMPLE_EVERY = 10  # every n-th variant is also written out for the real CLI and flake8


def spliced(program: str, fragment: str, where: int) -> str:
    """``program`` with ``fragment`` inserted before one of its lines, at that line's indent."""
    lines = program.splitlines(keepends=True)
    at = where % (len(lines) + 1)
    indent = re.match(r"[ \t]*", lines[at]).group() if at < len(lines) else ""
    inserted = "".join(indent + line for line in fragment.splitlines(keepends=True))
    if at and not lines[at - 1].endswith(("\n", "\r")):
        inserted = "\n" + inserted
    return "".join(lines[:at]) + inserted + "".join(lines[at:])


def renamed(program: str, names: List[str]) -> str:
    """``program`` with its identifiers replaced, in order of appearance, by ``names``."""
    mapping: Dict[str, str] = {}

    def rename(match: "re.Match[str]") -> str:
        word = match.group()
        if word in _RESERVED:
            return word
        if word not in mapping:
            mapping[word] = names[len(mapping) % len(names)]
        return mapping[word]

    return _IDENTIFIER.sub(rename, program)


def fuzz(generator: str, examples: int, workdir: str) -> None:
    """Runs in a forked child: the property over ``examples`` programs of ``generator``."""
    warnings.simplefilter("ignore")  # hypothesmith compiles programs: SyntaxWarnings galore
    work = Path(workdir)
    project = work / generator
    samples = project / "samples"
    samples.mkdir(parents=True)
    (project / "spapi-roles.toml").write_text("roles = []\n")
    path = str(project / "fuzzed.py")
    last = work / f"{generator}.last.py"
    seen = {"programs": 0, "variants": 0}
    inprocess.configure_plugin(None)
    strategy = (hypothesmith.from_grammar(auto_target=False) if generator == "grammar"
                else hypothesmith.from_node(auto_target=False))

    @settings(max_examples=examples, deadline=None, database=None, print_blob=True,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.shrink])
    @given(program=strategy, fragment=st.sampled_from(FRAGMENTS),
           where=st.integers(min_value=0, max_value=10 ** 6),
           names=st.lists(st.sampled_from(NAMES), min_size=1, max_size=6))
    def never_raises(program: str, fragment: str, where: int, names: List[str]) -> None:
        seen["programs"] += 1
        variants = [fragment + program, spliced(program, fragment, where),
                    renamed(program, names) + "\n" + fragment]
        for text in variants:
            seen["variants"] += 1
            last.write_text(text, encoding="utf-8", errors="surrogatepass")
            if seen["variants"] % SAMPLE_EVERY == 0:
                sample = samples / f"sample_{seen['variants']}.py"
                sample.write_text(text, encoding="utf-8", errors="surrogatepass")
            inprocess.analyze_unguarded(text, path)
        inprocess.analyze(variants[0], path)
        inprocess.plugin_results(variants[1], path)

    try:
        never_raises()
    finally:
        (work / f"{generator}.count").write_text(f"{seen['programs']} {seen['variants']}")


def _start(tmp_path_factory, examples: Dict[str, int]):
    workdir = tmp_path_factory.mktemp("fuzz")
    children = {name: inprocess.Forked(fuzz, name, number, str(workdir))
                for name, number in examples.items()}
    return workdir, children


def _finish(workdir: Path, children, name: str, examples: int, run: str = "default") -> None:
    try:
        children.pop(name).wait(CHILD_TIMEOUT_SECONDS[run])
    except AssertionError as error:
        last = workdir / f"{name}.last.py"
        program = last.read_text(errors="replace")[:4000] if last.exists() else "?"
        raise AssertionError(f"{error}\n--- the last program analysed:\n{program}") from None
    programs, variants = map(int, (workdir / f"{name}.count").read_text().split())
    counts.add(f"programs fuzzed ({name})", programs)
    counts.add("fuzzed variants analysed", variants)
    assert programs >= examples


def _stop(children) -> None:
    for child in children.values():
        child.kill()


@pytest.fixture(scope="module")
def default_fuzz(tmp_path_factory):
    workdir, children = _start(tmp_path_factory, DEFAULT_EXAMPLES)
    yield workdir, children
    _stop(children)


@pytest.mark.parametrize("generator", list(DEFAULT_EXAMPLES))
def test_engine_and_plugin_never_raise_on_generated_programs(default_fuzz, generator):
    workdir, children = default_fuzz
    _finish(workdir, children, generator, DEFAULT_EXAMPLES[generator])


@pytest.mark.parametrize("tool", ["cli", "flake8"])
def test_the_real_tools_survive_a_sample_of_the_programs(default_fuzz, tool):
    workdir, children = default_fuzz
    for generator in list(children):  # when selected without the tests above
        _finish(workdir, children, generator, DEFAULT_EXAMPLES[generator])
    env = harness.guarded_env(workdir / "markers")
    for generator in DEFAULT_EXAMPLES:
        project = workdir / generator
        samples = sorted((project / "samples").iterdir())
        assert samples
        if tool == "cli":
            ran = harness.spapi_roles("check", "samples", cwd=project, env=env)
        else:
            ran = harness.flake8("--select=SPR,E9", "samples", cwd=project, env=env)
        counts.add(f"fuzzed programs through {tool}", len(samples))
        harness.assert_no_traceback(ran)
        unparsable = _named_as_not_analysed(ran.stderr_lines) if tool == "cli" else {}
        for name, why in unparsable.items():  # said, with exit 2, only of programs Python rejects
            if why.startswith("invalid syntax"):
                with pytest.raises(SyntaxError):
                    ast.parse((project / name).read_bytes())
        harness.assert_exit(ran, (2,) if unparsable else (0, 1))
        assert len(ran.stderr_lines) <= len(samples), ran.describe()


def _named_as_not_analysed(lines: List[str]) -> Dict[str, str]:
    """The files the CLI's stderr names as not analysed, with why: every line must be one, for a
    syntax error or nesting too deep for the parser or the collector."""
    said = re.compile(r"spapi-roles: error: (\S+): not analysed: "
                      r"(invalid syntax at line \d+ .*|nested too deeply to analyse)$")
    named = [said.match(line) for line in lines]
    assert all(named), lines
    return {match.group(1): match.group(2) for match in named if match}
