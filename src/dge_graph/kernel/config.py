"""Settings: one frozen object, read from the environment (``DGE_*``) and overridden by CLI options.

Nothing is read at import time; ``Settings.from_env()`` is called by the CLI and by the app factory, and tests
build their own ``Settings``.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, replace
from pathlib import Path

DEFAULT_HR_DATE = dt.date(2027, 12, 2)
"""AI Act Annex III high-risk duties apply from this date: art. 113 as amended by Regulation (EU) 2026/1744 (Digital
Omnibus on AI, ELI http://data.europa.eu/eli/reg/2026/1744/oj, in force since 27 July 2026); it equals the
dge:defaultValue of id/parameter/hr-date in data/parameters.ttl (tests/test_knowledge.py checks this). The original
2026-08-02 of Reg. 2024/1689 never applied, as the amendment entered into force before it; ``--hr-date 2026-08-02``
runs that what-if (docs/legal-status.md)."""


def default_store_path() -> Path:
    """``$DGE_STORE``, else ``$XDG_DATA_HOME/dge-graph/store`` (``~/.local/share/dge-graph/store``)."""
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "dge-graph" / "store"


@dataclass(frozen=True)
class Settings:
    store: str
    """A directory for the embedded store, ``:memory:``, or the ``http(s)://`` URL of a remote SPARQL store."""
    host: str = "127.0.0.1"
    port: int = 8000
    timeout_s: float = 30.0
    """Queries that run longer are cancelled (HTTP 503)."""
    max_result_rows: int = 100_000
    update_token: str | None = None
    """Bearer token that enables SPARQL Update and the Graph Store Protocol on the server (off when unset)."""
    public_base: str = "https://w3id.org/dge-graph/"
    """The namespace the server answers for (linked-data dereferencing)."""
    hr_date: dt.date = DEFAULT_HR_DATE
    allow_service: tuple[str, ...] = ()
    """SPARQL ``SERVICE`` endpoints queries may call (full IRIs); empty: ``SERVICE`` is refused (HTTP 400)."""
    max_request_bytes: int = 1_000_000
    """Longest request body, query string or SPARQL text the server accepts from anyone (HTTP 413 beyond)."""
    max_write_bytes: int = 1_000_000_000
    """Longest request body of a request that carries the update token (a stored validation result or an import
    of the national register is several MB); anonymous requests keep ``max_request_bytes``."""

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        env = os.environ
        values: dict = {
            "store": env.get("DGE_STORE") or str(default_store_path()),
            "host": env.get("DGE_HOST", "127.0.0.1"),
            "port": int(env.get("DGE_PORT", "8000")),
            "timeout_s": float(env.get("DGE_TIMEOUT_S", "30")),
            "max_result_rows": int(env.get("DGE_MAX_RESULT_ROWS", "100000")),
            "update_token": env.get("DGE_UPDATE_TOKEN") or None,
            "public_base": env.get("DGE_PUBLIC_BASE", "https://w3id.org/dge-graph/"),
            "hr_date": dt.date.fromisoformat(env["DGE_HR_DATE"]) if env.get("DGE_HR_DATE") else DEFAULT_HR_DATE,
            "allow_service": tuple(env.get("DGE_ALLOW_SERVICE", "").split()),
            "max_request_bytes": int(env.get("DGE_MAX_REQUEST_BYTES", "1000000")),
            "max_write_bytes": int(env.get("DGE_MAX_WRITE_BYTES", "1000000000")),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})
