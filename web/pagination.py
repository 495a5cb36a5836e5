"""Pages of long lists: every list over 50 rows is cut into pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from sqlalchemy import func, select
from sqlmodel import Session


@dataclass
class Page:
    items: list[Any]
    number: int
    per_page: int
    total: int
    query_args: dict[str, str]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def args(self, number: int) -> dict[str, Any]:
        return {**self.query_args, "side": number}


def _asked_page() -> int:
    try:
        return max(1, int(request.args.get("side", "1")))
    except ValueError:
        return 1


def paginate(session: Session, stmt: Any, per_page: int | None = None) -> Page:
    """Run ``stmt`` for the page named by ``?side=`` (Danish for page)."""
    per_page = per_page or current_app.config.get("PAGE_SIZE", 50)
    number = _asked_page()
    total = session.exec(select(func.count()).select_from(stmt.order_by(None).subquery())).one()[0]
    pages = max(1, -(-total // per_page))
    number = min(number, pages)
    items = list(session.exec(stmt.limit(per_page).offset((number - 1) * per_page)))
    args = {k: v for k, v in request.args.items() if k != "side"}
    return Page(items=items, number=number, per_page=per_page, total=total, query_args=args)


def paginate_list(items: list[Any], per_page: int | None = None) -> Page:
    """The same pages over a list computed in Python (e.g. the at-risk list, ranked by urgency)."""
    per_page = per_page or current_app.config.get("PAGE_SIZE", 50)
    number = _asked_page()
    pages = max(1, -(-len(items) // per_page))
    number = min(number, pages)
    args = {k: v for k, v in request.args.items() if k != "side"}
    return Page(items=items[(number - 1) * per_page:number * per_page], number=number, per_page=per_page,
                total=len(items), query_args=args)
