"""The admin's overview of the organisation, its programs and its users."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from models.organisations import Organisation, Program
from models.users import User
from web.database import get_db
from web.pagination import paginate
from web.policy import require_area, scope

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
def home() -> str:
    require_area("admin")
    db = get_db()
    organisation = db.exec(scope(Organisation)).one()
    programs = list(db.exec(scope(Program).order_by(Program.name)))
    users = paginate(db, scope(User).where(User.role.in_(("coordinator", "admin"))).order_by(User.name))
    return render_template("admin/home.html", organisation=organisation, programs=programs, users=users,
                           me=current_user)


# The admin's pages, one module per noun, all on this blueprint.
from web.admin import (  # noqa: E402, F401
    dashboard,
    privacy,
    referrals,  # noqa: E402, F401  - issue 13
    settings,
)
