"""Login form."""
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    """E-mail and password (CSRF token included by Flask-WTF)."""

    email = EmailField("Adresse électronique", validators=[DataRequired("Saisissez votre adresse électronique."),
                                                           Length(max=200)])
    password = PasswordField("Mot de passe", validators=[DataRequired("Saisissez votre mot de passe."),
                                                        Length(max=512)])
