"""Numbers beyond a database INTEGER in URLs and query strings are refused or ignored, never a 500."""
import pytest

from tests import factories

HUGE = str(10**20)


@pytest.mark.parametrize("email, url", [
    ("sw@example.fr", f"/persons/{HUGE}"),
    ("sw@example.fr", f"/persons/{HUGE}/summary"),
    ("ro@example.fr", f"/referrals/persons/{HUGE}"),
])
def test_a_huge_id_in_the_path_is_a_404(client, world, email, url):
    factories.login(client, email)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("email, url", [
    ("sw@example.fr", f"/persons/?page={HUGE}"),
    ("sw@example.fr", f"/alerts/?page={HUGE}"),
    ("ro@example.fr", f"/referrals/?page={HUGE}&programme={HUGE}"),
    ("ro@example.fr", "/referrals/?programme=-1"),
    ("admin@example.fr", f"/admin/users/?page={HUGE}"),
])
def test_a_huge_number_in_the_query_string_is_ignored(client, world, email, url):
    factories.login(client, email)
    assert client.get(url).status_code == 200


def test_a_huge_person_id_for_a_referral_is_a_404(client, world):
    factories.login(client, "sw@example.fr")
    assert client.get(f"/referrals/new?person_id={HUGE}").status_code == 404
