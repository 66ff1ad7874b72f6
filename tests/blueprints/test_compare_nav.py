"""The comparison is what « Mon périmètre » opens (/pilot/scope redirects to it): the main navigation marks that item
as the current page there (it marked none — found by a walk through `make run`'s demo)."""
import re

import pytest

from agir.extensions import db
from tests import factories


@pytest.mark.parametrize("role, region", [("regional_pilot", "75"), ("national_pilot", None)])
def test_my_scope_is_the_current_item_of_the_main_navigation_on_the_comparison(app, app_ctx, role, region):
    factories.make_user(role, email="pilot@example.fr", region=region)
    db.session.commit()
    client = app.test_client()
    assert factories.login(client, "pilot@example.fr").status_code == 302
    page = client.get("/pilot/compare").get_data(as_text=True)
    current = re.findall(r'<a class="fr-nav__link"[^>]*aria-current="page"[^>]*>([^<]*)</a>', page)
    assert current == ["Mon périmètre"], current
