"""The W3C SHACL core suite (../shared/conformance/shacl-core) through the compiled-SPARQL fast path and the table
engine: every case is refused with ``ShapeCompileError`` or gives pyshacl's result (``tests/conformance/shacl_core.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "conformance"))

from shacl_core import cases, run_case, table_engine  # noqa: E402

pytestmark = pytest.mark.shared

SUPPORTED_AT_LEAST = 89
"""Cases the fast path answers (docs/checks.md): fewer is a regression in the supported subset."""


@pytest.fixture(scope="module")
def suite(shared_dir) -> Path:
    return shared_dir / "conformance" / "shacl-core"


def test_no_case_gets_a_wrong_answer(suite):
    outcomes = [run_case(case) for case in cases(suite)]
    assert len(outcomes) == 98
    wrong = [(o.case.name, o.status, o.detail) for o in outcomes if o.status not in ("agrees", "refused")]
    assert wrong == []
    assert sum(o.status == "agrees" for o in outcomes) >= SUPPORTED_AT_LEAST
    refused = {o.case.name for o in outcomes if o.status == "refused"}
    assert "property/property-001" in refused and "validation-reports/shared" in refused  # nested sh:property


def test_the_table_engine_refuses_what_it_cannot_answer(suite):
    """The table engine supports only the project's part of SHACL and sh:targetClass rule shapes: it refuses nearly
    the whole suite, and answers the rest as pyshacl does."""
    outcomes = [run_case(case, table_engine) for case in cases(suite)]
    assert [(o.case.name, o.detail) for o in outcomes if o.status not in ("agrees", "refused")] == []
    assert sum(o.status == "agrees" for o in outcomes) >= 1
