from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from models.users import MIN_PASSWORD_LENGTH
from web.forms import MaxLength
from web.i18n import lazy_gettext as _l


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[InputRequired(_l("Enter your e-mail.")), MaxLength(254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password.")), MaxLength(200)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class ResetRequestForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[InputRequired(_l("Enter your e-mail.")), Email(_l("Enter a valid e-mail address.")), MaxLength(254)],
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[
            InputRequired(_l("Choose a password.")),
            Length(min=MIN_PASSWORD_LENGTH, max=200, message=_l("The password must be at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[InputRequired(_l("Repeat the password.")), EqualTo("password", _l("The two passwords differ."))],
    )


class ChangePasswordForm(NewPasswordForm):
    """The new password as on a reset link, and the current one to prove it is the owner."""

    current = PasswordField(_l("Your current password"),
                            validators=[InputRequired(_l("Enter your current password.")), MaxLength(200)])


class SignOutEverywhereForm(FlaskForm):
    """Only the CSRF token: the button is the whole form."""
