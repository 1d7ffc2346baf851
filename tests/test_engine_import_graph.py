"""The call-site search follows imports: every way of reaching a function still finds its calls,
and modules that cannot import it are neither searched nor parsed."""

from __future__ import annotations

import os
import textwrap

import pytest
from support.engine import assert_marked_project, expected_uses, marked_and_reported

from spapi_roles.engine import analyze_source, build_index
from spapi_roles.engine.import_graph import import_targets

LEDGER = "GET_LEDGER_DETAIL_VIEW_DATA"
SERVICE = f"""
    from sp_api.api import Reports

    def request(kind):
        # expect: operation:createReport report:{LEDGER}/carrier
        return Reports().create_report(reportType=kind)
"""


def call(function: str) -> str:
    """A call of the wrapper with the report type: the type reaches the request (it is that
    request's use, with this call site as its related location), no use of its own here."""
    return f"{function}('{LEDGER}')\n"


@pytest.mark.parametrize(
    "callers",
    [
        {"app/main.py": "from .service import request\n" + call("request")},
        {"app/main.py": "from app import service\n" + call("service.request")},
        {"app/main.py": "import app.service as s\n" + call("s.request")},
        {"app/main.py": "import app.service\n" + call("app.service.request")},
        {"app/main.py": "import os; from app.service import request\n" + call("request")},
        {
            "app/main.py": "from .service import (  # the wrapper\n"
            "    request,\n)\n" + call("request")
        },
        {"app/main.py": "from .service import request as ask\n" + call("ask")},
        {  # through a re-export, two hops
            "app/api/__init__.py": "from .facade import *\n",
            "app/api/facade.py": "from ..service import request\n",
            "app/jobs/nightly.py": "from app.api import request\n" + call("request"),
        },
        {  # inside a function, behind TYPE_CHECKING-style indentation
            "app/main.py": "def run():\n    from . import service\n    " + call("service.request"),
        },
    ],
    ids=["relative", "from-package", "aliased", "dotted", "after-semicolon", "parenthesized",
         "function-alias", "re-export", "in-function"],
)
def test_call_sites_reached_through_any_import_feed_the_carrier(tmp_path, callers):
    assert_marked_project(tmp_path, {"app/__init__.py": "", "app/service.py": SERVICE, **callers})


def _write(root, files):
    for relative, source in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return [str(root / relative) for relative in files]


def test_modules_that_cannot_import_the_function_are_not_parsed(tmp_path):
    """Two copies of one package: a parameter's call sites are looked for in its own copy only."""
    files = {}
    for copy in ("one", "two"):
        files[f"{copy}/__init__.py"] = ""
        files[f"{copy}/service.py"] = SERVICE
        files[f"{copy}/main.py"] = "from .service import request\n" + call("request")
    paths = _write(tmp_path, files)
    index = build_index(paths, str(tmp_path))
    service = str(tmp_path / "one" / "service.py")
    with open(service, encoding="utf-8") as handle:
        uses = analyze_source(handle.read(), service, index)
    marked, reported = marked_and_reported(expected_uses(SERVICE), uses)
    assert reported == marked
    parsed = {os.path.relpath(path, tmp_path) for path, info in index._infos.items() if info}
    assert parsed == {os.path.join("one", "service.py"), os.path.join("one", "main.py")}


@pytest.mark.parametrize(
    "source, module, is_package, targets",
    [
        ("import a.b.c\n", "m", False, {"a"}),  # binds ``a``: any module below it
        ("import a.b as ab, d\n", "m", False, {"a.b", "d"}),
        ("from . import x\n", "pkg.mod", False, {"pkg.x"}),
        ("from .. import x\n", "pkg.sub", True, {"pkg.x"}),
        ("from .mod import *\n", "pkg", True, {"pkg.mod"}),
        ("from a import (b,  # note\n    c as d)\n", "m", False, {"a.b", "a.c"}),
        ("x = 1; from a \\\n  import b\n", "m", False, {"a.b"}),
        ("from ... import x\n", "top", False, set()),  # above the project root
    ],
)
def test_import_targets(source, module, is_package, targets):
    assert import_targets(source, module, is_package) == targets
