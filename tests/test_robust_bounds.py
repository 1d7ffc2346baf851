"""Bounded work on hostile inputs: whatever a small file in a pull request holds, a lint run stays
within a bounded time and memory, in the CLI and in flake8; a big manifest validates in linear time.

Each tool runs as a subprocess under an address-space limit (``harness.measured``: a regression
fails the test, not the machine); its peak resident memory is the kernel's accounting of it.
"""

from __future__ import annotations

import functools
import time

import pytest

from bad_inputs import counts, harness
from bad_inputs.cases import FOLDING_STEPS, worst_folding_module
from spapi_roles import knowledge
from spapi_roles.errors import UserError
from spapi_roles.manifest import load_manifest

PEAK_MEGABYTES = 200
SECONDS = 8.0  # each run takes well under a second alone; the rest is room for a busy machine


@pytest.fixture(scope="module")
def folding(tmp_path_factory):
    """Every worst folding module through the CLI and flake8, measured one at a time."""
    base = tmp_path_factory.mktemp("folding")
    env = harness.guarded_env(base / "markers")
    jobs = {}
    for style in FOLDING_STEPS:
        project = base / style
        project.mkdir()
        (project / "spapi-roles.toml").write_text("roles = []\n")
        (project / "worst.py").write_text(worst_folding_module(style))
        tools = {
            "cli": [harness.SPAPI_ROLES, "check", "--no-cache", "--extend-select", "SPR9",
                    "--fail-on", "note", "worst.py"],
            "flake8": [harness.FLAKE8, "--isolated", "--select", "SPR", "--extend-select", "SPR9",
                       "worst.py"],
        }
        for tool, command in tools.items():
            jobs[tool, style] = functools.partial(
                harness.measured, command, project, env, base / f"{tool}-{style}.json")
    runs = harness.run_all(jobs, workers=1)
    counts.add("worst generated modules measured", len(runs))
    return base, runs


@pytest.mark.parametrize("tool", ["cli", "flake8"])
@pytest.mark.parametrize("style", list(FOLDING_STEPS))
def test_worst_folding_module_stays_under_200_mb_and_a_few_seconds(folding, tool, style):
    base, runs = folding
    ran = runs[tool, style]
    harness.assert_no_traceback(ran)
    peak, seconds = harness.peak_and_seconds(base / f"{tool}-{style}.json")
    assert peak < PEAK_MEGABYTES and seconds < SECONDS, (
        f"{peak:.0f} MB, {seconds:.1f} s\n{ran.describe()}")


@pytest.mark.parametrize("tool", ["cli", "flake8"])
@pytest.mark.parametrize("style", ["concatenation", "f-string", "branches"])
def test_a_report_type_folded_past_the_bound_is_unresolved(folding, tool, style):
    """The capped string is not a silent pass: the report type is reported as unresolved."""
    _, runs = folding
    ran = runs[tool, style]
    assert ran.returncode == 1, ran.describe()
    [line] = [line for line in ran.stdout.splitlines() if "SPR" in line]
    assert line.startswith("worst.py:") and " SPR902 report type " in line, ran.describe()
    assert "could not be resolved" in line, ran.describe()


# ---------------------------------------------------------------------------- manifest validation

OVERRIDES = 32_000
VALIDATION_CPU_SECONDS = 8.0  # about 1 s of CPU; a scan per key (quadratic) took about a minute


def _many_overrides(count: int) -> str:
    lines = ['roles = ["Pricing"]', "", "[types]"]
    lines += [f'GET_GENERATED_{number:05d}_DATA = ["Pricing"]' for number in range(count)]
    return "\n".join(lines) + "\n"


def test_32000_type_overrides_validate_in_linear_time(tmp_path):
    """Every override's line is looked up once; a linear scan per key made this quadratic."""
    manifest = tmp_path / "spapi-roles.toml"
    manifest.write_text(_many_overrides(OVERRIDES))
    knowledge.load()
    started = time.process_time()
    loaded = load_manifest(str(manifest))
    seconds = time.process_time() - started
    assert len(loaded.type_overrides) == OVERRIDES
    assert seconds < VALIDATION_CPU_SECONDS, f"{seconds:.1f} s of CPU"


def test_an_override_error_names_its_own_line_among_32000(tmp_path):
    manifest = tmp_path / "spapi-roles.toml"
    text = _many_overrides(OVERRIDES).replace('GET_GENERATED_31999_DATA = ["Pricing"]',
                                              'GET_GENERATED_31999_DATA = ["Pricng"]')
    manifest.write_text(text)
    with pytest.raises(UserError) as raised:
        load_manifest(str(manifest))
    assert raised.value.line == OVERRIDES + 3
