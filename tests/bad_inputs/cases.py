"""The named bad inputs: each builds a file, tree or path in a directory at test time.

Most hold a real SP-API use (``USE``) next to the bad part, so the engine's prefilter lets
them through and the parser, the resolver and the checks see the bad input, not just the
substring scan. Big inputs are generated, never committed.
"""

from __future__ import annotations

import os
import random
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Union

USE = 'from sp_api.api import Orders\n\nOrders().get_orders(CreatedAfter="2024-01-01")\n'
USE_BYTES = USE.encode()
MANIFEST = "roles = []\n"
FIVE_MB = 5 * 1024 * 1024


@dataclass(frozen=True)
class BadInput:
    """One named bad input.

    ``build(directory)`` creates it inside ``directory`` (which holds a manifest with no
    roles) and returns the path to hand to the tools. ``source`` says whether that path is
    a file whose bytes can also be given to ``analyze_source`` (decoded). ``flake8`` is
    False where flake8 itself, not the plugin, cannot take the input (the reason says why).
    ``heavy`` inputs take minutes in flake8 and in ``analyze_source`` (which has no size
    limit): the default run gives them to the CLI only, the slow run to everything.
    """

    id: str
    build: Callable[[Path], Path]
    source: bool = True
    flake8: bool = True
    reason: str = ""
    heavy: bool = False


def _file(name: str, content: Union[bytes, Callable[[], bytes]]) -> Callable[[Path], Path]:
    def build(directory: Path) -> Path:
        path = directory / name
        path.write_bytes(content() if callable(content) else content)
        return path

    return build


def file_case(case_id: str, content: Union[bytes, Callable[[], bytes]],
              name: str = "bad.py", heavy: bool = False) -> BadInput:
    """A file case; big contents are given as a function, so they are made only when used."""
    return BadInput(case_id, _file(name, content), heavy=heavy)


# ---------------------------------------------------------------------------- generated content


def _random_bytes(size: int, seed: int) -> bytes:
    generator = random.Random(seed)
    return bytes(generator.getrandbits(8) for _ in range(size))


def many_statements(count: int) -> bytes:
    """A use, then ``count`` one-line statements."""
    return USE_BYTES + b"x = 1\n" * count


def five_megabytes() -> bytes:
    """A 5 MB module: many functions, every 50th one calling SP-API."""
    chunks = [USE_BYTES]
    size = len(USE_BYTES)
    number = 0
    while size < FIVE_MB:
        body = ("    return Orders().get_order(order_id)\n" if number % 50 == 0
                else f"    return order_id * {number} + len('{'x' * 40}')\n")
        chunk = f"\n\ndef handler_{number}(order_id):\n{body}".encode()
        chunks.append(chunk)
        size += len(chunk)
        number += 1
    return b"".join(chunks)


def _nested_blocks(depth: int) -> bytes:
    lines = [USE]
    for level in range(depth):
        lines.append(" " * level + "if x:\n")
    lines.append(" " * depth + 'Orders().get_order("1")\n')
    return "".join(lines).encode()


def _deep_fstrings(depth: int) -> bytes:
    quotes = ['"', "'"]
    inner = "Orders().get_orders()"
    for level in range(depth):
        quote = quotes[level % 2]
        inner = f"f{quote}{{{inner}}}{quote}"
    return (USE + f"x = {inner}\n").encode()


def _many_type_literals(count: int) -> bytes:
    items = ",\n".join('    "GET_FLAT_FILE_OPEN_LISTINGS_DATA"' for _ in range(count))
    return (USE + f"REPORTS = [\n{items},\n]\n").encode()


# ---------------------------------------------------------------------------- special paths


def _symlink_loop(directory: Path) -> Path:
    (directory / "a.py").symlink_to("b.py")
    (directory / "b.py").symlink_to("a.py")
    (directory / "self.py").symlink_to("self.py")
    (directory / "loop").mkdir()
    (directory / "loop" / "again").symlink_to("..")
    (directory / "loop" / "ok.py").write_bytes(USE_BYTES)
    return directory


def _symlink_loop_file(directory: Path) -> Path:
    (directory / "a.py").symlink_to("b.py")
    (directory / "b.py").symlink_to("a.py")
    return directory / "a.py"


def _dangling_symlink(directory: Path) -> Path:
    (directory / "gone.py").symlink_to(directory / "does-not-exist.py")
    (directory / "ok.py").write_bytes(USE_BYTES)
    return directory


def _unreadable(directory: Path) -> Path:
    path = directory / "secret.py"
    path.write_bytes(USE_BYTES)
    path.chmod(0)
    return path


def _unreadable_directory(directory: Path) -> Path:
    locked = directory / "locked"
    locked.mkdir()
    (locked / "inside.py").write_bytes(USE_BYTES)
    (directory / "ok.py").write_bytes(USE_BYTES)
    locked.chmod(0)
    return directory


def _directory_named_py(directory: Path) -> Path:
    package = directory / "looks_like_a_file.py"
    package.mkdir()
    (package / "inner.py").write_bytes(USE_BYTES)
    return package


def _non_py_path(directory: Path) -> Path:
    path = directory / "notes.txt"
    path.write_bytes(b"Remember to call get_orders on Orders() tomorrow.\n\xff\xfe\n")
    return path


def _fifo(directory: Path) -> Path:
    (directory / "ok.py").write_bytes(USE_BYTES)
    os.mkfifo(directory / "pipe.py")
    return directory


def _fifo_given_explicitly(directory: Path) -> Path:
    os.mkfifo(directory / "pipe.py")
    return directory / "pipe.py"


def _odd_file_names(directory: Path) -> Path:
    for name in (b"caf\xe9.py", "spaces and \u00fcml\u00e4uts.py".encode(), b"-dash.py",
                 "\u202eevil.py".encode()):
        with open(os.path.join(os.fsencode(directory), name), "wb") as stream:
            stream.write(USE_BYTES)
    return directory


def _newline_in_name(directory: Path) -> Path:
    (directory / "two\nlines.py").write_bytes(USE_BYTES)
    return directory


def _deleted_after_discovery(directory: Path) -> Path:
    """The harness deletes ``vanishing.py`` right after the CLI has listed the files."""
    (directory / "vanishing.py").write_bytes(USE_BYTES)
    (directory / "ok.py").write_bytes(USE_BYTES)
    return directory


def _empty_directory(directory: Path) -> Path:
    (directory / "nothing").mkdir()
    return directory / "nothing"


CASES: List[BadInput] = [
    # empty and near-empty
    file_case("empty-file", b""),
    file_case("only-whitespace", b"\n\n   \n\t\n"),
    file_case("only-bom", b"\xef\xbb\xbf"),
    file_case("only-comment-no-newline", b"# sp_api Orders get_orders"),
    # syntax errors
    file_case("syntax-error", USE_BYTES + b"def (:\n"),
    file_case("syntax-error-unclosed-bracket", USE_BYTES + b"x = [1, 2\n"),
    file_case("syntax-error-unterminated-string", USE_BYTES + b"x = 'oops\n"),
    file_case("indentation-error", USE_BYTES + b"if x:\npass\n"),
    file_case("tab-space-mix", USE_BYTES + b"if True:\n\tx = 1\n        Orders().get_order(1)\n"),
    file_case("python2-syntax", USE_BYTES + b"print 'hello'\nexec 'x = 1'\n"),
    file_case("newer-python-syntax", USE_BYTES + b"type Alias[T] = list[T]\n"
              b"def first[T](items: list[T]) -> T:\n    return Orders().get_order(items[0])\n"),
    file_case("backslash-at-eof", USE_BYTES + b"x = 1 + \\"),
    # encodings
    file_case("invalid-utf8", USE_BYTES + b"label = '\xff\xfe not utf-8'\n"),
    file_case("latin1-with-cookie", b"# -*- coding: latin-1 -*-\n" + USE_BYTES
              + "label = 'caf\u00e9'\n".encode("latin-1")),
    file_case("cookie-lies-ascii", b"# coding: ascii\n" + USE_BYTES
              + "label = '\u00e9t\u00e9'\n".encode()),
    file_case("cookie-lies-utf8", b"# coding: utf-8\n" + USE_BYTES + b"label = 'caf\xe9'\n"),
    file_case("unknown-cookie", b"# coding: klingon\n" + USE_BYTES),
    file_case("utf8-bom", b"\xef\xbb\xbf" + USE_BYTES),
    file_case("bom-with-latin1-cookie", b"\xef\xbb\xbf# coding: latin-1\n" + USE_BYTES),
    file_case("utf16-with-bom", USE.encode("utf-16")),
    file_case("mixed-encodings", USE_BYTES + "a = '\u00e9'\n".encode() + b"b = '\xe9'\n"
              + "c = '\u20ac'\n".encode("cp1252")),
    file_case("encoded-surrogates", USE_BYTES + b"s = '\xed\xa0\x80'\n"),
    # bytes that are not text
    file_case("nul-bytes", USE_BYTES + b"x = 1\x00\n"),
    file_case("nul-in-string", USE_BYTES + b"s = '\x00'\n"),
    file_case("control-characters", USE_BYTES + b"\x0c\nx = 1\x1a\n\x1b[31mred\n"),
    file_case("random-bytes", lambda: _random_bytes(4096, seed=6)),
    file_case("random-bytes-after-use", lambda: USE_BYTES + _random_bytes(4096, seed=7)),
    # line endings and whitespace
    file_case("crlf-line-endings", USE_BYTES.replace(b"\n", b"\r\n")),
    file_case("cr-line-endings", USE_BYTES.replace(b"\n", b"\r")),
    file_case("mixed-line-endings", b"from sp_api.api import Orders\r\n\rOrders().get_orders()\n"
              b"Orders().get_order(1)\r"),
    file_case("tab-indentation", USE_BYTES
              + b"def sync():\n\tif True:\n\t\treturn Orders().get_order(1)\n"),
    file_case("form-feed-indent", USE_BYTES
              + b"def sync():\n\x0c    return Orders().get_order(1)\n"),
    file_case("nfkc-identifiers", USE_BYTES + "\uff4frders = Orders()\n\uff4frders.get_order(1)\n"
              "Ord\u00e9rs = Orders\nOrd\u00e9rs().\uff47et_orders()\n".encode()),
    # size and depth
    file_case("five-megabytes", five_megabytes, heavy=True),
    file_case("huge-line", lambda: USE_BYTES + b"x = '" + b"a" * 2_000_000
              + b"'; Orders().get_order(1)\n"),
    file_case("many-lines", lambda: many_statements(10_000)),
    file_case("nesting-1000-parentheses", USE_BYTES + b"x = " + b"(" * 1000
              + b"Orders().get_order(1)" + b")" * 1000 + b"\n"),
    file_case("nesting-1000-lists", USE_BYTES + b"x = " + b"[" * 1000 + b"]" * 1000 + b"\n"),
    file_case("nesting-1000-blocks", _nested_blocks(1000)),
    file_case("nesting-90-blocks", _nested_blocks(90)),
    file_case("expression-20000-terms", USE_BYTES + b"x = " + b" + ".join([b"1"] * 20000) + b"\n"),
    file_case("call-chain-5000", USE_BYTES + b"x = Orders()" + b".get_orders()" * 5000 + b"\n"),
    file_case("attribute-chain-20000", USE_BYTES + b"x = a" + b".b" * 20000 + b".get_orders()\n"),
    file_case("boolean-20000-terms", USE_BYTES + b"x = " + b" and ".join([b"a"] * 20000) + b"\n"),
    file_case("deep-fstrings", _deep_fstrings(30)),
    file_case("fstring-5000-parts", USE_BYTES + b"x = f'" + b"{a}" * 5000 + b"'\n"),
    file_case("many-type-literals", lambda: _many_type_literals(5000)),
    # paths that are not plain readable .py files
    BadInput("symlink-loops", _symlink_loop, source=False),
    BadInput("symlink-loop-file", _symlink_loop_file, source=False),
    BadInput("dangling-symlink", _dangling_symlink, source=False),
    BadInput("unreadable-file", _unreadable),
    BadInput("unreadable-directory", _unreadable_directory, source=False),
    BadInput("directory-named-x.py", _directory_named_py, source=False),
    BadInput("non-py-path", _non_py_path),
    BadInput("fifo-named-x.py", _fifo, source=False, flake8=False,
             reason="flake8 itself opens and blocks on a named pipe given in a directory"),
    BadInput("fifo-given-explicitly", _fifo_given_explicitly, source=False, flake8=False,
             reason="flake8 itself opens and blocks on a named pipe given on the command line"),
    BadInput("odd-file-names", _odd_file_names, source=False),
    BadInput("newline-in-file-name", _newline_in_name, source=False),
    BadInput("deleted-after-discovery", _deleted_after_discovery, source=False, flake8=False,
             reason="the deletion hook patches spapi-roles' file discovery, not flake8's"),
    BadInput("empty-directory", _empty_directory, source=False),
]

CASES_BY_ID = {case.id: case for case in CASES}
UNREADABLE = ("unreadable-file", "unreadable-directory")
VANISHING = "vanishing.py"
FIFOS = ("fifo-named-x.py", "fifo-given-explicitly")


def build_case(case: BadInput, directory: Path) -> Path:
    """Build ``case`` in a fresh ``directory`` next to a manifest declaring no roles."""
    directory.mkdir(parents=True)
    (directory / "spapi-roles.toml").write_text(MANIFEST)
    return case.build(directory)


def restore_permissions(directory: Path) -> None:
    """Make everything below ``directory`` readable again so it can be removed."""
    for current, dirnames, _ in os.walk(directory):
        for name in dirnames:
            path = os.path.join(current, name)
            if not os.path.islink(path):
                os.chmod(path, stat.S_IRWXU)
    for current, _, filenames in os.walk(directory):
        for name in filenames:
            path = os.path.join(current, name)
            if not os.path.islink(path):
                os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)


# ---------------------------------------------------------------------------- constant folding

FOLDING_LITERAL = "GET_" + "X" * 100_000  # 100 KB: far longer than any SP-API path or type
FOLDING_DOUBLINGS = 14  # unbounded folding: 100 KB * 2**14 = 1.6 GB per string
# A conditional step costs the resolver three levels of its depth bound: six steps stay within it
# (and, folded without a bound, build thousands of combinations of strings of megabytes).
BRANCH_DOUBLINGS = 6
# One self-doubling assignment per way of building a string from strings.
FOLDING_STEPS = {
    "concatenation": "a = a + a",
    "augmented": "a += a",
    "f-string": 'a = f"{a}{a}"',
    "percent": 'a = "%s%s" % (a, a)',
    "format": 'a = "{}{}".format(a, a)',
    "join": 'a = "".join([a, a])',
    "repetition": "a = a * 2",
    "branches": "a = a + a if flag else a + b",
}


def worst_folding_module(style: str) -> str:
    """``FOLDING_DOUBLINGS`` doublings of a 100 KB literal, then a report type made of it.

    "branches" multiplies the number of values too: each step may take either branch, so folding
    without a bound builds every combination of the values of the step before.
    """
    lines = ["import os", "from sp_api.api import Reports", "",
             'flag = os.environ.get("FLAG")', f'a = "{FOLDING_LITERAL}"']
    if style == "branches":
        lines.append('b = "_DATA" if flag else "_FILE"')
    lines += [FOLDING_STEPS[style]] * (BRANCH_DOUBLINGS if style == "branches"
                                       else FOLDING_DOUBLINGS)
    lines.append("Reports().create_report(reportType=a)")
    return "\n".join(lines) + "\n"
