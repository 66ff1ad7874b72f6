"""Login form and the forms of the "Mon compte" page."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from agir.i18n import lazy_gettext as _l


class LoginForm(FlaskForm):
    """E-mail and password (CSRF token included by Flask-WTF)."""

    email = EmailField(_l("Adresse électronique"), validators=[
        DataRequired(_l("Saisissez votre adresse électronique.")), Length(max=200)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(_l("Saisissez votre mot de passe.")),
                                                            Length(max=512)])


class PasswordChangeForm(FlaskForm):
    """Change one's own password: the current one, then the new one twice (length checked by the operation)."""

    current_password = PasswordField(_l("Mot de passe actuel"), validators=[
        DataRequired(_l("Saisissez votre mot de passe actuel.")), Length(max=512)])
    new_password = PasswordField(_l("Nouveau mot de passe"), validators=[
        DataRequired(_l("Saisissez un nouveau mot de passe.")), Length(max=512)])
    confirmation = PasswordField(_l("Confirmation du nouveau mot de passe"), validators=[
        DataRequired(_l("Saisissez à nouveau le nouveau mot de passe.")), Length(max=512)])


class PreferencesForm(FlaskForm):
    """Opt in to the daily e-mail digest."""

    wants_digest = BooleanField(_l("Recevoir chaque matin un récapitulatif de mes alertes par courriel"))


class DisplayNameForm(FlaskForm):
    """The name shown in the files' history instead of one's e-mail (checked by the operation)."""

    display_name = StringField(_l("Nom affiché"), render_kw={"autocomplete": "name"})


class SecondFactorForm(FlaskForm):
    """The code of the second factor at sign-in (6 digits, or a recovery code)."""

    code = StringField(_l("Code de vérification"), validators=[
        DataRequired(_l("Saisissez le code à 6 chiffres de votre application.")), Length(max=32)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false",
                   "autocapitalize": "off"})


class TotpEnrolForm(FlaskForm):
    """Confirm an enrolment with the first code of the application."""

    code = StringField(_l("Code à 6 chiffres affiché par l’application"), validators=[
        DataRequired(_l("Saisissez le code à 6 chiffres affiché par votre application.")), Length(max=32)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class TotpCodeForm(FlaskForm):
    """A current code, to renew the recovery codes or turn an optional second factor off."""

    code = StringField(_l("Code de vérification"), validators=[
        DataRequired(_l("Saisissez le code à 6 chiffres de votre application.")), Length(max=32)],
        render_kw={"autocomplete": "one-time-code"})
