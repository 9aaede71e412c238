"""Route registration helper: one route per HTTP method, so every OpenAPI operation has its own ``operationId``
(FastAPI gives a multi-method route one id for all its methods, which OpenAPI forbids)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fastapi import APIRouter


def routes(router: APIRouter, path: str, methods: Sequence[str], **kwargs) -> Callable:
    """Decorator: register ``func`` at ``path`` once per method, with operationId ``<func>_<method>``."""

    def decorator(func: Callable) -> Callable:
        for method in methods:
            router.add_api_route(path, func, methods=[method], operation_id=f"{func.__name__}_{method.lower()}",
                                 **kwargs)
        return func

    return decorator
