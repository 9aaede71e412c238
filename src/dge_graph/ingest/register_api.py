"""Reading the national algorithm register from its public API (the endpoint the register's own frontend uses).

``POST <url>`` with the JSON body ``{"page": "<n>", "limit": "<size>"}`` (numbers as strings, as the frontend sends
them; pages count from 1) answers ``{"results": [<record>, ...], "total_count": <int>}``; each record has the keys of
the publication standard (``name``, ``organization``, ``status``, ``lars``, ``create_dt``, ...). The client pages until
it holds ``total_count`` distinct records (by ``lars``), retries a page a bounded number of times with exponential
backoff on network errors, 429 (honouring ``Retry-After``) and 5xx, and raises ``RegisterApiError`` (a ``ValueError``:
the CLI exits 2, nothing is written) when the register cannot be read whole. ``docs/algoritmeregister.md`` documents
the endpoint and the shape.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dge_graph.kernel.progress import Progress, silent

REGISTER_API_URL = "https://algoritmes.overheid.nl/api/algoritme/NLD"
"""The listing endpoint of the register (language code NLD; ENG and FRY exist too)."""

PAGE_SIZE = 100
RETRIES = 3
BACKOFF_S = 1.0
TIMEOUT_S = 30.0
MAX_RETRY_AFTER_S = 60.0
if TYPE_CHECKING:
    import httpx

USER_AGENT = "dge-graph (register refresh; https://w3id.org/dge-graph/)"


class RegisterApiError(ValueError):
    """The register API could not be read whole; names the URL, the page and the reason."""

    def __init__(self, url: str, reason: str, page: int | None = None):
        self.url, self.page, self.reason = url, page, reason
        where = f", page {page}" if page is not None else ""
        super().__init__(f"{url}{where}: {reason}; nothing imported")


@dataclass(frozen=True)
class RegisterPages:
    """The records of the whole register as the API returned them, in page order, duplicates removed."""

    url: str
    records: list[dict[str, Any]]
    total_count: int
    pages: int
    fetched_at: str  # ISO timestamp (UTC, seconds) of the first page


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait before asking again (attempt ``i`` waits ``backoff_s * 2**(i-1)``)."""

    retries: int = RETRIES
    backoff_s: float = BACKOFF_S
    timeout_s: float = TIMEOUT_S

    def wait(self, attempt: int, retry_after: str | None = None) -> float:
        if retry_after is not None and retry_after.strip().isdigit():
            return min(float(retry_after.strip()), MAX_RETRY_AFTER_S)
        return self.backoff_s * 2 ** (attempt - 1)


def _page(client: httpx.Client, url: str, page: int, size: int, policy: RetryPolicy,
          sleep: Callable[[float], None]) -> dict[str, Any]:
    """One page of the listing, after at most ``policy.retries`` retries."""
    import httpx

    last = "no answer"
    for attempt in range(1, policy.retries + 2):
        retry_after = None
        try:
            response = client.post(url, json={"page": str(page), "limit": str(size)})
        except httpx.TransportError as exc:
            last = f"cannot reach the register API ({type(exc).__name__}: {exc}); is this machine online?"
        else:
            if response.status_code == 429 or response.status_code >= 500:
                last = f"HTTP {response.status_code}"
                retry_after = response.headers.get("Retry-After")
            elif response.status_code >= 400:
                raise RegisterApiError(url, f"HTTP {response.status_code}: {response.text[:200]!r}", page)
            else:
                return _listing(response, url, page)
        if attempt <= policy.retries:
            sleep(policy.wait(attempt, retry_after))
    raise RegisterApiError(url, f"{last} (after {policy.retries} retries)", page)


def _listing(response: httpx.Response, url: str, page: int) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        raise RegisterApiError(url, "the answer is not JSON", page) from None
    if not isinstance(payload, dict):
        raise RegisterApiError(url, f"expected an object {{results, total_count}}, got {type(payload).__name__}", page)
    results, total = payload.get("results"), payload.get("total_count")
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise RegisterApiError(url, "key 'results' is not a list of records", page)
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        raise RegisterApiError(url, "key 'total_count' is not a count", page)
    return payload


def _key(record: dict[str, Any]) -> str | None:
    for name in ("lars", "uuid"):
        value = record.get(name)
        if value not in (None, ""):
            return f"{name}:{value}"
    return None


def fetch_register(url: str = REGISTER_API_URL, *, page_size: int = PAGE_SIZE, policy: RetryPolicy | None = None,
                   progress: Progress | None = None, client: httpx.Client | None = None,
                   sleep: Callable[[float], None] = time.sleep) -> RegisterPages:
    """Page through the register API; every record once, or ``RegisterApiError``."""
    if page_size < 1:
        raise RegisterApiError(url, f"page size must be at least 1, not {page_size}")
    policy = policy or RetryPolicy()
    if policy.retries < 0 or policy.backoff_s < 0 or policy.timeout_s <= 0:
        raise RegisterApiError(url, "retries and backoff must not be negative, the timeout must be positive")
    progress = progress or silent()
    fetched_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    import httpx

    own = client is None
    client = client or httpx.Client(timeout=policy.timeout_s, follow_redirects=True,
                                    headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    try:
        page, total, pages = 1, None, None
        while True:
            payload = _page(client, url, page, page_size, policy, sleep)
            results, total = payload["results"], payload["total_count"]
            if pages is None:
                pages = max(1, -(-total // page_size))
            for record in results:
                key = _key(record)
                if key is None or key not in seen:  # a record repeated when pages shift is kept once
                    records.append(record)
                    if key is not None:
                        seen.add(key)
            progress.step(f"register API: page {page} ({len(records)} of {total} records)", page, pages)
            if len(records) >= total or not results:
                break
            if page >= pages + 5:  # pages shifted so much that the count cannot be reached
                break
            page += 1
    finally:
        if own:
            client.close()
    if len(records) != total:
        raise RegisterApiError(url, f"the API announced {total} records but gave {len(records)} distinct ones "
                               "(the register changed while paging?); try again")
    return RegisterPages(url, records, total, page, fetched_at)
