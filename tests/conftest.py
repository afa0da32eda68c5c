"""Shared test configuration.

Hypothesis profiles: "ci" (the default: about 60 examples a property, no deadline, since
parsing and evaluation times vary on shared machines) and "long" (2000 examples, for a
thorough run). Choose one with the environment variable HYPOTHESIS_PROFILE:

    HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=60, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    "long", max_examples=2000, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True, scope="session")
def _own_rule_cache(tmp_path_factory):
    """The rule cache of a test run is its own (and subprocesses inherit it)."""
    old = os.environ.get("REVMECH_CACHE_DIR")
    os.environ["REVMECH_CACHE_DIR"] = str(tmp_path_factory.mktemp("revmech-cache"))
    yield
    if old is None:
        del os.environ["REVMECH_CACHE_DIR"]
    else:
        os.environ["REVMECH_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def html_site(_own_rule_cache, tmp_path_factory):
    """The HTML documentation of the shipped rules, built once a run (it takes seconds)
    and written as `revmech docs` writes it: (folder, pages, ruleset, registry)."""
    from revmech.cli.docs import write_pages
    from revmech.engine.docsite import build
    from revmech.engine.procedures import load_registry
    from revmech.engine.ruleset import load_ruleset

    ruleset = load_ruleset()
    registry = load_registry()
    pages = build(ruleset, registry, "html")
    out = tmp_path_factory.mktemp("site")
    write_pages(str(out), pages)
    return out, pages, ruleset, registry
