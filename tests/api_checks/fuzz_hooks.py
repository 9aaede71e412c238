"""Schemathesis hooks for ``fuzz.py``: the check ``no_unexpected_server_error``.

Like schemathesis' ``not_a_server_error``, but the 5xx statuses in ``$DGE_FUZZ_ALLOWED_5XX`` (comma-separated) are
expected: with the store down every store call must answer 502 (store failure) or 503 (time limit), and any other
5xx (a 500 above all) is a failure. Empty (the default, store up): every 5xx fails.
"""

from __future__ import annotations

import os

import schemathesis


@schemathesis.check
def no_unexpected_server_error(ctx, response, case):
    allowed = {int(s) for s in os.environ.get("DGE_FUZZ_ALLOWED_5XX", "").split(",") if s.strip()}
    if response.status_code >= 500 and response.status_code not in allowed:
        raise AssertionError(f"server error {response.status_code}: {response.text[:300]}")
