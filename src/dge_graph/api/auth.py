"""Bearer-token check for the write side (SPARQL Update, Graph Store Protocol writes).

Off unless the server was started with ``--update-token``/``DGE_UPDATE_TOKEN``: then 403 for every write. With a
token configured: 401 (with ``WWW-Authenticate: Bearer``) without credentials, 403 for a wrong token.
"""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request

from dge_graph.kernel.config import Settings


def require_update_token(request: Request, settings: Settings) -> None:
    if not settings.update_token:
        raise HTTPException(
            403, "SPARQL Update and Graph Store writes are disabled on this server "
            "(start it with --update-token or DGE_UPDATE_TOKEN to enable them)",
        )
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(
            401, "this operation needs 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": 'Bearer realm="dge-graph"'},
        )
    if not hmac.compare_digest(token.strip().encode("utf-8"), settings.update_token.encode("utf-8")):
        raise HTTPException(403, "the bearer token is not valid for updates on this server")
