"""What each SP-API operation does, in Amazon's words: the first sentence of each operation's
description in Amazon's API models, for the role request (`spapi-roles request`).

Two steps, like the knowledge base's (tools/kb_inputs/README.md):

    .venv/bin/python tools/build_summaries.py --extract PATH_TO_SHARED_SPAPI   # models -> input
    .venv/bin/python tools/build_summaries.py                                  # input -> data

The input, tools/kb_inputs/operation-summaries.json, keeps the models' commit (from
operations-counts.json) and one sentence per operation, keyed as the knowledge base keys
operations ("<model file stem>#<operationId>"); the data file,
src/spapi_roles/data/summaries.json, is what the installed package reads (a test rebuilds it and
compares).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import sys
from collections import Counter
from typing import Dict, List, Optional

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INPUT = os.path.join(REPO_ROOT, "tools", "kb_inputs", "operation-summaries.json")
OUTPUT = os.path.join(REPO_ROOT, "src", "spapi_roles", "data", "summaries.json")
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_SENTENCE = re.compile(r"^(.+?[.!?])(?=\s|$)")


def first_sentence(description: str) -> str:
    """The first sentence of the first paragraph of a model's description, on one line."""
    paragraph = re.split(r"\n\s*\n", description.strip(), maxsplit=1)[0]
    text = " ".join(paragraph.split())
    match = _SENTENCE.match(text)
    return match.group(1) if match else text


def extract(shared: str) -> dict:
    """The input document from the models in ``shared`` (the SP-API reference data folder)."""
    with open(os.path.join(shared, "operations-counts.json"), encoding="utf-8") as stream:
        source = json.load(stream)["source"]
    summaries: Dict[str, str] = {}
    for path in sorted(glob.glob(os.path.join(shared, "models", "**", "*.json"), recursive=True)):
        with open(path, encoding="utf-8") as stream:
            model = json.load(stream)
        stem = os.path.splitext(os.path.basename(path))[0]
        found = [(method, operation) for operations in model.get("paths", {}).values()
                 for method, operation in operations.items()
                 if method in METHODS and "operationId" in operation]
        ids = Counter(operation["operationId"] for _, operation in found)
        for method, operation in found:
            key = f"{stem}#{operation['operationId']}"
            if ids[operation["operationId"]] > 1:  # the knowledge base's key for a shared id
                key += f":{method.upper()}"
            text = operation.get("description") or operation.get("summary") or ""
            if text.strip():
                summaries[key] = first_sentence(text)
    return {
        "source": {key: source[key] for key in ("repository", "commit", "commit_date", "license")},
        "what": "the first sentence of each operation's description in Amazon's API models",
        "operations": dict(sorted(summaries.items())),
    }


def build(input_path: str = INPUT) -> str:
    """The data file's text from the input."""
    with open(input_path, encoding="utf-8") as stream:
        document = json.load(stream)
    data = {"source": document["source"], "operations": document["operations"]}
    return json.dumps(data, indent=0, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--extract", metavar="SHARED",
                        help="first refresh the input from the reference data folder SHARED")
    args = parser.parse_args(argv)
    if args.extract:
        if not os.path.isdir(os.path.join(args.extract, "models")):
            print(f"{args.extract}: not the SP-API reference data folder (no models/)",
                  file=sys.stderr)
            return 2
        with open(INPUT, "w", encoding="utf-8") as stream:
            json.dump(extract(args.extract), stream, indent=1, ensure_ascii=False)
            stream.write("\n")
    with open(OUTPUT, "w", encoding="utf-8") as stream:
        stream.write(build())
    return 0


if __name__ == "__main__":
    sys.exit(main())
