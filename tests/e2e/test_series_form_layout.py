"""The series form at 1366 px: « Sauter les jours fériés » has room around it — its checkbox used to touch the
label « Autres dates à sauter » below it (found by a walk through `make run`'s demo)."""
from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import browser_login, shot

GAP = """() => {
  const box = document.querySelector('#skip_holidays').closest('.fr-checkbox-group').getBoundingClientRect();
  const label = document.querySelector('label[for=exceptions]').getBoundingClientRect();
  return label.top - box.bottom;
}"""


def test_skip_holidays_does_not_touch_the_exceptions_label(page, world):
    browser_login(page, "ro@example.fr", factories.PASSWORD)
    page.goto(page.base + f"/referrals/programmes/{world.programme.id}/series/new")
    expect(page.locator("#skip_holidays")).to_be_attached()
    gap = page.evaluate(GAP)
    shot(page, "series-form-layout")
    assert gap >= 16, f"{gap} px between the checkbox and the next label"
