"""In-process checks shared by the robustness tests: the engine and the flake8 plugin object.

``analyze_source`` and ``Plugin.run`` swallow every exception by contract, which also hides
bugs (a crash there is a silent miss). ``analyze_unguarded`` and ``Plugin.findings`` run the
same steps without the outer catch-all, so the tests can tell "nothing found" from "crashed".

``isolated`` runs a check in a forked copy of the test process: the code under test is the
one already loaded, but a crash of the native parser (a segmentation fault) or a hang fails
that one test instead of killing the whole run.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import select
import signal
import time
import tokenize
import traceback
from typing import Callable, List, Optional, Sequence

from spapi_roles import engine
from spapi_roles.engine import analyzer, prefilter
from spapi_roles.flake8_plugin import Plugin
from spapi_roles.uses import EVIDENCES, KINDS, Use


def decode_like_flake8(data: bytes) -> str:
    """The text flake8 hands a plugin: the declared/detected encoding, else latin-1."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return data.decode("latin-1")


def decodings(data: bytes) -> List[str]:
    """Texts a tool may make of ``data``: flake8's, and UTF-8 with undecodable bytes escaped."""
    texts = [decode_like_flake8(data), data.decode("utf-8", "surrogateescape")]
    return list(dict.fromkeys(texts))


def assert_uses(uses: object, source: str) -> List[Use]:
    """``uses`` is a list of well-formed Use objects whose positions lie in ``source``."""
    assert isinstance(uses, list), type(uses)
    line_count = len(source.splitlines()) + 1
    for use in uses:
        assert isinstance(use, Use), use
        assert use.kind in KINDS and use.evidence in EVIDENCES, use
        assert 1 <= use.line <= line_count and use.column >= 0, (use, line_count)
        assert isinstance(use.name, str) and isinstance(use.operation_keys, tuple), use
    return uses


def analyze(source: str, path: str) -> List[Use]:
    """The public entry point; it must return a list of uses for any text."""
    return assert_uses(engine.analyze_source(source, path), source)


def analyze_unguarded(source: str, path: str, force: bool = False) -> List[Use]:
    """``analyze_source`` without its catch-all (``force``: skip the prefilter too).

    Parsing itself returns None for syntax errors and pathological depth (the documented
    contract); anything raised past that is an engine bug the catch-all would hide.
    """
    scan = prefilter.load()
    if not force and scan.reason(source) is None:
        return []
    return assert_uses(analyzer.analyze_module(source, path), source)


def configure_plugin(manifest: Optional[str]) -> None:
    """Set the plugin's options as flake8 would (``--spapi-roles-manifest``)."""
    Plugin.parse_options(argparse.Namespace(spapi_roles_manifest=manifest))


def plugin_results(source: str, filename: str) -> List[tuple]:
    """What flake8 gets from the plugin for ``source``; checks ``findings()`` raises nothing."""
    lines: Sequence[str] = source.splitlines(keepends=True)
    plugin = Plugin(None, lines, filename)
    plugin.findings()  # run() would swallow an exception from here
    results = list(Plugin(None, lines, filename).run())
    for line, column, text, kind in results:
        assert 1 <= line <= len(lines) + 1 and column >= 0, (line, column, text)
        assert text[:3] == "SPR" and kind is Plugin, text
    return results


class Forked:
    """A check running in a forked child; ``wait`` collects its outcome."""

    def __init__(self, check: Callable[..., object], *args: object):
        self.name = getattr(check, "__name__", "check")
        self.reader, writer = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: report, then leave without the parent's cleanup
            os.close(self.reader)
            try:
                check(*args)
                report = b""
            except BaseException:  # noqa: B036 - whatever the check raised is the report
                report = traceback.format_exc().encode("utf-8", "replace") or b"?"
            os.write(writer, report[-20000:])
            os._exit(0)
        os.close(writer)

    def kill(self) -> None:
        """Stop the child if it still runs and reap it."""
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self.reader)

    def wait(self, timeout: float) -> None:
        """AssertionError if the check raised, crashed the process or ran past ``timeout``."""
        report = b""
        deadline = time.monotonic() + timeout
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not select.select([self.reader], [], [], remaining)[0]:
                    os.kill(self.pid, signal.SIGKILL)
                    os.waitpid(self.pid, 0)
                    raise AssertionError(f"{self.name} did not finish within {timeout}s")
                chunk = os.read(self.reader, 65536)
                if not chunk:
                    break
                report += chunk
        finally:
            os.close(self.reader)
        _, status = os.waitpid(self.pid, 0)
        if os.WIFSIGNALED(status):
            raise AssertionError(f"{self.name} crashed the process: "
                                 f"{signal.Signals(os.WTERMSIG(status)).name}")
        assert not report, report.decode("utf-8", "replace")


def isolated(check: Callable[..., object], *args: object, timeout: float = 60.0) -> None:
    """Run ``check(*args)`` in a forked child; AssertionError if it raised, crashed or hung."""
    Forked(check, *args).wait(timeout)
