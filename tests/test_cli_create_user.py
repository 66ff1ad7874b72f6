"""`flask agir create-user` exactly as INTERCHANGE.md says: exit 0 and committed, or exit 1 with French on stderr."""
import pytest
from sqlalchemy import func, select

from agir.extensions import db
from agir.operations.users import verify_password
from models import User
from tests import factories

PASSWORD = "a-long-enough-password"


@pytest.fixture
def reference(app_ctx):
    dep = factories.make_department()
    factories.make_structure(dep, "agir_operator", ref="S1")
    factories.make_structure(factories.make_department(code="40", name="Landes"), "agir_operator", ref="S40")
    db.session.commit()
    return dep


def create(runner, *args, stdin=PASSWORD + "\n"):
    return runner.invoke(args=["agir", "create-user", *args], input=stdin)


def stored(email):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


@pytest.mark.parametrize("args", [
    ("sw@example.fr", "--role", "social_worker", "--structure", "S1"),
    ("ro@example.fr", "--role", "referral_officer", "--structure", "S1"),
    ("pilot@example.fr", "--role", "pilot", "--department", "33"),
    ("admin@example.fr", "--role", "admin"),
])
def test_create_user_with_password_stdin_creates_an_account_that_can_sign_in(runner, reference, client, args):
    result = create(runner, *args, "--password-stdin")
    assert result.exit_code == 0, result.output
    user = stored(args[0])
    assert user is not None and user.role == args[2]
    assert verify_password(user.password_hash, PASSWORD)  # the trailing newline is not part of it
    assert not user.has_provisional_password  # chosen by its holder on the server: no change forced
    response = factories.login(client, args[0], PASSWORD)
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert "Votre mot de passe est provisoire" not in client.get("/account").get_data(as_text=True)


def test_pilot_attachment_is_its_department(runner, reference):
    assert create(runner, "p@example.fr", "--role", "pilot", "--department", "33", "--password-stdin").exit_code == 0
    assert stored("p@example.fr").department.code == "33"


def test_password_is_prompted_twice_without_stdin_option(runner, reference):
    result = create(runner, "sw@example.fr", "--role", "social_worker", "--structure", "S1",
                    stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # hidden input
    assert verify_password(stored("sw@example.fr").password_hash, PASSWORD)


def test_prompted_passwords_that_differ_are_asked_again(runner, reference):
    result = create(runner, "sw@example.fr", "--role", "social_worker", "--structure", "S1",
                    stdin=f"{PASSWORD}\nsomething-else-entirely\n")
    assert result.exit_code == 1
    assert stored("sw@example.fr") is None


@pytest.mark.parametrize("args, stdin, message", [
    (("x@example.fr", "--role", "boss"), PASSWORD, "Rôle inconnu"),
    (("x@example.fr",), PASSWORD, "--role"),
    (("x@example.fr", "--role", "social_worker", "--structure", "NOPE"), PASSWORD, "Structure inconnue"),
    (("x@example.fr", "--role", "pilot", "--department", "99"), PASSWORD, "Département inconnu"),
    (("x@example.fr", "--role", "social_worker"), PASSWORD, "structure"),
    (("x@example.fr", "--role", "referral_officer", "--department", "33"), PASSWORD, "structure"),
    (("x@example.fr", "--role", "pilot"), PASSWORD, "département"),
    (("x@example.fr", "--role", "pilot", "--structure", "S40", "--department", "33"), PASSWORD, "n'appartient pas"),
    (("x@example.fr", "--role", "admin"), "short-pass1", "12 caractères"),
    (("x@example.fr", "--role", "admin"), "", "12 caractères"),
    (("not-an-email", "--role", "admin"), PASSWORD, "Adresse électronique invalide"),
])
def test_invalid_accounts_exit_1_with_a_french_message_on_stderr(runner, reference, args, stdin, message):
    result = create(runner, *args, "--password-stdin", stdin=stdin + "\n")
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stdout == ""
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_an_email_already_taken_exits_1_whatever_its_case(runner, reference):
    assert create(runner, "sw@example.fr", "--role", "admin", "--password-stdin").exit_code == 0
    result = create(runner, "SW@Example.fr", "--role", "admin", "--password-stdin")
    assert result.exit_code == 1
    assert "existe déjà" in result.stderr
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
