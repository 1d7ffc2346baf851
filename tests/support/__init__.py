"""Test support: the readers of the expectation markers written in fixtures, snippets and examples.

``markers``: the ``# expect:`` markers of the fixture projects (fixtures/README.md);
``engine``: the engine run on the engine tests' snippets and held against their markers.
"""
