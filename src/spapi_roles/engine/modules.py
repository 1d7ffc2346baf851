"""Dotted module names: of a file below the project root, and of a relative import.

A leaf of the engine (it imports nothing of it): the project index names files with it, and the
collector and the import graph read ``from . import`` statements with the same function, so that
the bindings and the call-site search's bound cannot disagree.
"""

from __future__ import annotations

import os
from typing import Optional, Tuple


def module_name_for(path: str, root: str) -> Tuple[str, bool]:
    """Dotted module name of ``path`` below ``root``, and whether it is a package ``__init__``."""
    prefix = os.path.join(root, "")
    if path.startswith(prefix) and os.path.isabs(path):  # the common case, without relpath's cost
        relative = path[len(prefix):]
    else:
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    parts = [p for p in relative.replace(os.sep, "/").split("/") if p not in ("", ".")]
    if parts and parts[0] == "..":
        parts = [os.path.basename(path)]
    if parts:
        parts[-1] = parts[-1][:-3] if parts[-1].endswith(".py") else parts[-1]
    is_package = bool(parts) and parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts), is_package


def absolute_module(level: int, module: str, package: str) -> Optional[str]:
    """The module ``from <level dots><module> import ...`` names inside ``package`` (None: above
    the root)."""
    if not level:
        return module
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)] if level > 1 else parts
    return ".".join([p for p in base if p] + ([module] if module else []))
