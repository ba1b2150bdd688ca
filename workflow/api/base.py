"""What every API blueprint shares: authentication hook, error handlers, pagination, error docs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Response, g
from flask_smorest import Blueprint
from flask_smorest.pagination import PaginationParameters

from workflow.api import errors
from workflow.api.auth import authenticate_request
from workflow.extensions import csrf, db

F = TypeVar("F", bound=Callable[..., Any])

# Documented error responses by status (components/responses registered by flask-smorest, all
# with our ErrorSchema); "default" covers anything else.
_ERROR_RESPONSES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    422: "UNPROCESSABLE_ENTITY",
}


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint with our pagination limits (``page_size`` 1–100, default 20)."""

    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 20, "max_page_size": 100}  # noqa: RUF012

    def __init__(self, name: str, import_name: str, **kwargs: Any) -> None:
        super().__init__(name, import_name, **kwargs)
        errors.install(self)
        self.before_request(authenticate_request)
        self.after_request(_private)
        # CSRF is checked by authenticate_request, for requests without a bearer token only.
        csrf.exempt(self)

    def errors(self, *codes: int) -> Callable[[F], F]:
        """Document error responses of a view (401 is added to every authenticated view)."""

        def decorator(func: F) -> F:
            for code in sorted(set(codes), reverse=True):
                func = self.alt_response(code, response=_ERROR_RESPONSES[code])(func)
            return func

        return decorator


def _private(response: Response) -> Response:
    # Signed-in or token responses may hold personal data: keep them out of every cache.
    if g.get("api_principal") is not None:
        response.headers.setdefault("Cache-Control", "no-store")
    return response


T = TypeVar("T")


def page_of(stmt: sa.Select[Any], params: PaginationParameters) -> list[Any]:
    """One page of ``stmt`` (which must have a total order), setting ``params.item_count``."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0
    params.item_count = total
    if params.first_item >= total:
        return []
    return list(db.session.scalars(stmt.offset(params.first_item).limit(params.page_size)))


def page_of_list(items: list[T], params: PaginationParameters) -> list[T]:
    """One page of an in-memory list, setting ``params.item_count``."""
    params.item_count = len(items)
    return items[params.first_item : params.first_item + params.page_size]
