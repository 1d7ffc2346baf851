"""Reading the files spapi-roles reads: regular files only, never blocking, never unbounded.

Every file the tool reads (manifests, ``.gitignore`` and ``.git/info/exclude``, the baseline, the
analysis cache, Python sources) goes through :func:`read_bytes`: it follows a symbolic link to a
regular file, refuses anything else (a directory, a named pipe, a device such as ``/dev/zero``,
which git can commit as a symbolic link) without waiting on it, and stops at a size limit per
kind of file. A problem is a :class:`ReadError` whose text says why in a few words.

Writers (the baseline, manifests) ask :func:`write_target` where a path leads and what mode
the new file gets.

Python sources are decoded by one decoder, :func:`decode_source`, which the checks and the
engine's project index share: the PEP 263 coding cookie or byte order mark, else UTF-8, else
latin-1 (as flake8 falls back), the mark removed and line breaks made ``\\n``. Lines are split by
one rule, the parser's (:func:`split_lines`): ``\\n``, ``\\r\\n`` and ``\\r``, never the other
breaks ``str.splitlines`` knows (form feed, ``\\x1c``-``\\x1e``, ``\\x85``, U+2028, U+2029).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import re
import stat
import tokenize
from dataclasses import dataclass
from typing import Callable, Iterator, List, Tuple

from .errors import UserError

_CHUNK = 1 << 16
_PAGE = 4096
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the parser's line breaks
_SURROGATE = re.compile("[\ud800-\udfff]")
# Opened without waiting: a named pipe without a writer, a terminal, /proc/kmsg (EAGAIN).
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


@dataclass(frozen=True)
class Kind:
    """A kind of file the tool reads: how messages call it, and the most bytes read of it."""

    name: str
    max_bytes: int


MB = 1024 * 1024
LOCK = Kind("lock file", 4096)
MANIFEST = Kind("manifest", 4 * MB)  # 32,000 [types] overrides take 1.2 MB
IGNORE_FILE = Kind("ignore file", 4 * MB)
BASELINE = Kind("baseline", 8 * MB)  # about 80,000 accepted findings
CACHE = Kind("cache", 64 * MB)
# The engine analyses a module of at most this many characters and lines: at these sizes one
# takes about 1 s and 100 MB to parse, collect and analyse (the largest stdlib module has 0.7 MB).
# A source file of more bytes than it may have characters is not read at all (and the CLI says
# it was not checked).
MAX_PARSE_CHARS = 1_000_000
MAX_PARSE_LINES = 50_000
SOURCE = Kind("source file", MAX_PARSE_CHARS)


class ReadError(Exception):
    """Why a file cannot be read, in a few words ("not a regular file (a named pipe)")."""

    def __init__(self, reason: str, missing: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.missing = missing  # the file does not exist (or a link points nowhere)


def _size_text(count: int) -> str:
    return f"{count // MB} MB" if count % MB == 0 else f"{count:,} bytes"


def kind_of(mode: int) -> str:
    """What a file that is not a regular one is, from its ``st_mode`` ("a named pipe")."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def _open(path: str) -> int:
    try:
        return os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise ReadError("not found" if not os.path.islink(path) else "a broken symbolic link",
                        missing=True) from None
    except PermissionError:
        raise ReadError("permission denied") from None
    except IsADirectoryError:
        raise ReadError("is a directory") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise ReadError("a symbolic link loop") from None
        raise ReadError(error.strerror or str(error)) from None


def _regular(descriptor: int, kind: Kind) -> os.stat_result:
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode):
        what = kind_of(status.st_mode)
        raise ReadError("is a directory" if what == "a directory"
                        else f"not a regular file ({what})")
    if status.st_size > kind.max_bytes:
        raise ReadError(too_big(kind))
    return status


def too_big(kind: Kind) -> str:
    """The reason given for a file of ``kind`` over its size limit."""
    return f"larger than {_size_text(kind.max_bytes)}, the most spapi-roles reads of a {kind.name}"


def _chunks(descriptor: int, kind: Kind, size: int) -> Iterator[bytes]:
    """The file's bytes in chunks; ReadError past the limit (a file that grows, or /proc).

    ``size`` is what the file says it holds: a regular file is read in one call (and one more
    to see its end). Sizes asked for are whole pages, which some /proc files require.
    """
    total = 0
    wanted = min(size, kind.max_bytes) + 1
    while True:
        try:
            chunk = os.read(descriptor, -(-wanted // _PAGE) * _PAGE)
        except BlockingIOError:
            raise ReadError("not a regular file (it would wait for data)") from None
        except OSError as error:
            raise ReadError(error.strerror or str(error)) from None
        if not chunk:
            return
        total += len(chunk)
        if total > kind.max_bytes:
            raise ReadError(too_big(kind))
        yield chunk
        wanted = _CHUNK


def read_bytes(path: str, kind: Kind) -> bytes:
    """The bytes of the regular file at ``path`` (a symbolic link is followed), at most
    ``kind.max_bytes`` of them; ReadError otherwise, without ever waiting on the file."""
    descriptor = _open(path)
    try:
        size = _regular(descriptor, kind).st_size
        return b"".join(_chunks(descriptor, kind, size))
    finally:
        os.close(descriptor)


def digest(path: str, kind: Kind) -> str:
    """SHA-256 of the bytes :func:`read_bytes` gives, read in chunks; ReadError where it fails
    (so a hash never reads past the limit the reader stops at)."""
    descriptor = _open(path)
    try:
        size = _regular(descriptor, kind).st_size
        hashed = hashlib.sha256()
        for chunk in _chunks(descriptor, kind, size):
            hashed.update(chunk)
        return hashed.hexdigest()
    finally:
        os.close(descriptor)


def read_user_file(path: str, kind: Kind) -> bytes:
    """:func:`read_bytes` for a file the user named or wrote (manifest, baseline, ignore file):
    any problem is a UserError naming it."""
    try:
        return read_bytes(path, kind)
    except ReadError as error:
        if error.missing:
            raise UserError(f"{kind.name} not found", path) from None
        if error.reason == "is a directory":
            raise UserError(f"is a directory, not a {kind.name} file", path) from None
        raise UserError(f"cannot read the {kind.name}: {error.reason}", path) from None


@contextlib.contextmanager
def held_open(path: str, kind: Kind) -> Iterator[Callable[[], bytes]]:
    """The regular file at ``path`` held open, as :func:`read_bytes` opens it: yields a function
    that reads it from the start, the same file each time even after another replaced its path."""
    descriptor = _open(path)
    try:
        _regular(descriptor, kind)

        def contents() -> bytes:
            os.lseek(descriptor, 0, os.SEEK_SET)
            return b"".join(_chunks(descriptor, kind, os.fstat(descriptor).st_size))

        yield contents
    finally:
        os.close(descriptor)


def check(path: str, kind: Kind) -> None:
    """ReadError if ``path`` cannot be read as a ``kind``: opened and inspected, and read only
    when it says it is empty (as a /proc file does, whatever it holds)."""
    descriptor = _open(path)
    try:
        if _regular(descriptor, kind).st_size == 0:
            for _ in _chunks(descriptor, kind, 0):
                pass
    finally:
        os.close(descriptor)


# ---------------------------------------------------------------------------- Python sources


def decode_source(data: bytes) -> str:
    """The text of a Python file: its PEP 263 coding cookie or byte order mark, else UTF-8, else
    latin-1 (flake8's fallback); without the mark, every line break made ``\\n``."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        text = data.decode("latin-1")
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def read_source(path: str) -> str:
    """The decoded text of the Python file at ``path``; ReadError if it cannot be read."""
    return decode_source(read_bytes(path, SOURCE))


def split_lines(text: str) -> List[str]:
    """``text`` cut at the parser's line breaks (``\\n``, ``\\r\\n``, ``\\r``) and nowhere else;
    a final break ends the last line rather than starting an empty one."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "" and len(lines) > 1:
        lines.pop()
    return lines if text else []


def too_big_to_parse(text: str) -> bool:
    """Whether the engine leaves a module of this text unanalysed (see ``MAX_PARSE_*``)."""
    return len(text) > MAX_PARSE_CHARS or text.count("\n") > MAX_PARSE_LINES


# ---------------------------------------------------------------------------- file names


def printable(text: str) -> str:
    """``text`` (a file name, or a line holding one) fit for any UTF-8 output: the bytes of a name
    that are not UTF-8 (held as surrogate escapes, ``os.fsdecode``'s way) written ``\\xNN``."""
    return _SURROGATE.sub(_escaped, text)


def _escaped(match: "re.Match[str]") -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def json_text(text: str) -> str:
    """JSON text (``json.dumps(..., ensure_ascii=False)``) with each lone surrogate written as a
    ``\\uXXXX`` escape, so that it encodes as UTF-8 and reads back as the same file name."""
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


# ---------------------------------------------------------------------------- writing


def write_target(path: str, what: str) -> Tuple[str, int]:
    """Where writing ``path`` goes (through a symbolic link, its target) and the mode to give
    the new file: the mode of the one there, or for a new file the umask's (never the 0600 of a
    temporary file). A UserError for anything there that is not a regular file, which is never
    replaced (``what``: "baseline", "manifest")."""
    target = os.path.realpath(path)
    try:
        status = os.stat(target)
    except FileNotFoundError:
        umask = os.umask(0o022)
        os.umask(umask)
        return target, 0o666 & ~umask
    except OSError as error:
        raise UserError(f"cannot write the {what}: {error.strerror or error}", path) from None
    if not stat.S_ISREG(status.st_mode):
        raise UserError(f"is {kind_of(status.st_mode)}, not a regular file; not writing the "
                        f"{what} there", path)
    return target, stat.S_IMODE(status.st_mode)
