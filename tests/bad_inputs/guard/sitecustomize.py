"""Test guard and hooks, imported at start-up by every Python process the robustness tests run.

Put on ``PYTHONPATH`` by ``bad_inputs.harness``; everything is driven by environment variables:

``SPAPI_GUARD_MARKERS``  directory for marker files: ``network`` when a process tried to open
                         an internet connection or resolve a name (the attempt then fails),
                         ``imported`` when a module whose file lies in ``SPAPI_GUARD_TREE`` was
                         imported (checked at exit).
``SPAPI_GUARD_KB``       knowledge-base file to load instead of the packaged one.
``SPAPI_GUARD_CLIENTS``  client-tables file (the engine's data) to load instead of the packaged one.
``SPAPI_GUARD_DELETE``   file to delete right after spapi-roles has discovered the files.
``SPAPI_GUARD_KILL``     a process analysing a file whose path holds this text is killed
                         (SIGKILL), as the kernel's out-of-memory killer would.
``SPAPI_GUARD_MANIFEST_RACE``  ``once`` or ``always``: just before spapi-roles writes its
                         temporary manifest file, another "editor" appends a comment to the
                         manifest (the first time only, or every time); ``late``: the editor
                         appends (once) just before spapi-roles renames its temporary file over
                         the manifest, after its last look at it.
``SPAPI_GUARD_KILL_AFTER_TEMP``  the process kills itself (SIGKILL, as ``kill -9`` would) right
                         after creating a temporary manifest file: it leaves that file and its
                         lock behind.
"""

import atexit
import os
import sys

_MARKERS = os.environ.get("SPAPI_GUARD_MARKERS")


def _mark(name, text):
    with open(os.path.join(_MARKERS, name), "a", encoding="utf-8") as stream:
        stream.write(f"{os.getpid()} {text}\n")


if _MARKERS:
    import socket

    _INTERNET = (socket.AF_INET, getattr(socket, "AF_INET6", socket.AF_INET))
    _connect = socket.socket.connect
    _connect_ex = socket.socket.connect_ex
    _sendto = socket.socket.sendto

    def _refuse(what):
        _mark("network", what)
        return OSError(f"network access blocked by the spapi-roles test guard ({what})")

    def _guarded(original, name):
        def method(self, *args):
            if self.family in _INTERNET:
                raise _refuse(f"{name} {args[:1]!r}")
            return original(self, *args)

        return method

    def _resolver(name):
        def resolve(*args, **kwargs):
            raise _refuse(f"{name} {args[:1]!r}")

        return resolve

    socket.socket.connect = _guarded(_connect, "connect")
    socket.socket.connect_ex = _guarded(_connect_ex, "connect_ex")
    socket.socket.sendto = _guarded(_sendto, "sendto")
    for _name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "create_connection"):
        setattr(socket, _name, _resolver(_name))

    _TREE = os.environ.get("SPAPI_GUARD_TREE")
    if _TREE:
        _TREE = os.path.realpath(_TREE)

        def _report_tree_imports():
            for module_name, module in list(sys.modules.items()):
                location = getattr(module, "__file__", None)
                if location and os.path.realpath(location).startswith(_TREE + os.sep):
                    _mark("imported", f"{module_name} {location}")

        atexit.register(_report_tree_imports)

if os.environ.get("SPAPI_GUARD_KB"):
    import spapi_roles.knowledge

    spapi_roles.knowledge.DATA_PATH = os.environ["SPAPI_GUARD_KB"]

if os.environ.get("SPAPI_GUARD_CLIENTS"):
    import spapi_roles.engine.clients

    spapi_roles.engine.clients.DATA_PATH = os.environ["SPAPI_GUARD_CLIENTS"]

if os.environ.get("SPAPI_GUARD_DELETE"):
    import spapi_roles.files

    _find = spapi_roles.files.find_python_files

    def _find_then_delete(*args, **kwargs):
        found = _find(*args, **kwargs)
        if os.path.lexists(os.environ["SPAPI_GUARD_DELETE"]):  # after the first discovery
            os.unlink(os.environ["SPAPI_GUARD_DELETE"])
        return found

    spapi_roles.files.find_python_files = _find_then_delete

if os.environ.get("SPAPI_GUARD_KILL"):
    import signal

    import spapi_roles.engine

    _analyze_source = spapi_roles.engine.analyze_source

    def _analyze_or_die(source, path, *args, **kwargs):
        if os.environ["SPAPI_GUARD_KILL"] in path:
            os.kill(os.getpid(), signal.SIGKILL)
        return _analyze_source(source, path, *args, **kwargs)

    spapi_roles.engine.analyze_source = _analyze_or_die

if os.environ.get("SPAPI_GUARD_MANIFEST_RACE") == "late":
    _replace = os.replace
    _late_edits = []

    def _replace_after_another_edit(source, destination, *args, **kwargs):
        if str(destination).endswith(".toml") and str(source).endswith(".tmp") and not _late_edits:
            _late_edits.append(destination)
            with open(destination, "a", encoding="utf-8") as stream:
                stream.write("# edited at the last moment by someone else\n")
        return _replace(source, destination, *args, **kwargs)

    os.replace = _replace_after_another_edit

elif os.environ.get("SPAPI_GUARD_MANIFEST_RACE"):
    import tempfile

    _mkstemp = tempfile.mkstemp
    _edits = []

    def _mkstemp_after_another_edit(*args, **kwargs):
        prefix = kwargs.get("prefix") or ""
        directory = kwargs.get("dir")
        if prefix.startswith(".") and prefix.endswith(".toml.") and directory:
            if os.environ["SPAPI_GUARD_MANIFEST_RACE"] == "always" or not _edits:
                _edits.append(prefix)
                with open(os.path.join(directory, prefix[1:-1]), "a", encoding="utf-8") as stream:
                    stream.write(f"# edited meanwhile by someone else ({len(_edits)})\n")
        return _mkstemp(*args, **kwargs)

    tempfile.mkstemp = _mkstemp_after_another_edit

if os.environ.get("SPAPI_GUARD_KILL_AFTER_TEMP"):
    import signal  # noqa: F811 - each hook imports what it needs
    import tempfile

    _mkstemp_then = tempfile.mkstemp

    def _mkstemp_then_die(*args, **kwargs):
        created = _mkstemp_then(*args, **kwargs)
        if ".toml." in (kwargs.get("prefix") or ""):
            os.kill(os.getpid(), signal.SIGKILL)
        return created

    tempfile.mkstemp = _mkstemp_then_die
