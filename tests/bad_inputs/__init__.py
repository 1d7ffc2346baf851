"""Bad inputs for the robustness tests, generated at test time, and the harness running the tools.

``cases``: the named bad inputs (files, trees and paths built in a temporary directory).
``harness``: running the real ``spapi-roles`` and ``flake8`` as subprocesses, with guards.
"""
