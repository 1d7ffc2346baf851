"""The call-site search follows imports: every way of reaching a function still finds its calls,
and modules that cannot import it are neither searched nor parsed."""

from __future__ import annotations

import os
import textwrap

import pytest
from engine_support import found, in_project

from spapi_roles.engine import analyze_source, build_index
from spapi_roles.engine.import_graph import import_targets

SERVICE = """
    from sp_api.api import Reports

    def request(kind):
        return Reports().create_report(reportType=kind)
"""
LEDGER = "GET_LEDGER_DETAIL_VIEW_DATA"


@pytest.mark.parametrize(
    "callers",
    [
        {"app/main.py": f"from .service import request\nrequest('{LEDGER}')\n"},
        {"app/main.py": f"from app import service\nservice.request('{LEDGER}')\n"},
        {"app/main.py": f"import app.service as s\ns.request('{LEDGER}')\n"},
        {"app/main.py": f"import app.service\napp.service.request('{LEDGER}')\n"},
        {"app/main.py": f"import os; from app.service import request\nrequest('{LEDGER}')\n"},
        {
            "app/main.py": "from .service import (  # the wrapper\n"
            f"    request,\n)\nrequest('{LEDGER}')\n"
        },
        {"app/main.py": f"from .service import request as ask\nask('{LEDGER}')\n"},
        {  # through a re-export, two hops
            "app/api/__init__.py": "from .facade import *\n",
            "app/api/facade.py": "from ..service import request\n",
            "app/jobs/nightly.py": f"from app.api import request\nrequest('{LEDGER}')\n",
        },
        {  # inside a function, behind TYPE_CHECKING-style indentation
            "app/main.py": "def run():\n    from . import service\n"
            f"    service.request('{LEDGER}')\n",
        },
    ],
    ids=["relative", "from-package", "aliased", "dotted", "after-semicolon", "parenthesized",
         "function-alias", "re-export", "in-function"],
)
def test_call_sites_reached_through_any_import_feed_the_carrier(tmp_path, callers):
    files = {"app/__init__.py": "", "app/service.py": SERVICE, **callers}
    uses = in_project(tmp_path, files)
    assert (4, "report", LEDGER, "carrier") in found(uses["app/service.py"])


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
        files[f"{copy}/main.py"] = f"from .service import request\nrequest('{LEDGER}')\n"
    paths = _write(tmp_path, files)
    index = build_index(paths, str(tmp_path))
    service = str(tmp_path / "one" / "service.py")
    with open(service, encoding="utf-8") as handle:
        uses = analyze_source(handle.read(), service, index)
    assert {(u.line, u.name, u.evidence) for u in uses} >= {(4, LEDGER, "carrier")}
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
