"""A firm created from the command line in production (issue 7) works in the browser at once.

The firm comes only from `python -m portal_app.services.firms` run against the app's database,
the way an operator onboards a customer in an empty production database: no demo data involved.
"""

import subprocess
import sys
import urllib.request

import pytest
from playwright.sync_api import expect

from portal_app.i18n import translate
from tests.conftest import PROJECT_ROOT
from tests.e2e.conftest import shot, staff_login

pytestmark = pytest.mark.e2e

FIRM = "Kancelaria Wdrożeniowa Lis"
ADMIN = "ewa.lis@wdrozeniowa.example.com"
PASSWORD = "Pochmurny-Poranek-Nad-Wartą-3"
ADDRESS = "wdrozeniowa"


def firms_command(app_server, *args: str, password: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "portal_app.services.firms", *args], input=password + "\n",
                          cwd=PROJECT_ROOT, env=app_server["env"], capture_output=True, text=True, timeout=60)


def test_an_onboarded_administrator_logs_in_and_switches_the_portal_on(app_server, browser):
    done = firms_command(app_server, "create-firm", "--name", FIRM, "--plan", "premium", "--language", "en",
                         "--admin-email", ADMIN, "--admin-name", "Ewa Lis", password=PASSWORD)
    assert done.returncode == 0, done.stderr
    url = app_server["url"]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    staff_login(page, url, ADMIN, PASSWORD)
    bar = page.locator("#user-menu").locator("xpath=ancestor::div[contains(@class,'rt-Flex')][2]")
    assert bar.evaluate("e => getComputedStyle(e).paddingLeft") == "32px"  # the top bar keeps off the window's edge
    expect(page.get_by_text("Budmax")).to_have_count(0)  # a new firm sees none of the demo firms' clients
    page.goto(url + "/settings/client-portal")
    expect(page.locator("#company_name")).to_have_value(FIRM)
    page.click("#portal-enabled")
    page.fill("#address", ADDRESS)
    page.fill("#contact_email", "biuro@wdrozeniowa.example.com")
    page.click("#settings-save")
    expect(page.locator("#settings-saved")).to_be_visible()
    shot(page, "onboarded-firm-settings")
    client = browser.new_context().new_page()
    client.goto(f"{url}/portal/{ADDRESS}")
    expect(client.locator("#portal-company-name")).to_have_text(FIRM)

    # The operator moves the firm off Premium: its portal closes and its Administrator is told why.
    firm_id = done.stdout.split()[1]
    moved = firms_command(app_server, "set-plan", "--firm-id", firm_id, "--plan", "standard", password="")
    assert moved.returncode == 0, moved.stderr
    page.reload()
    expect(page.locator("#settings-refused")).to_have_text(translate("en", "settings.refused_plan"))
    expect(page.locator("#settings-save")).to_have_count(0)
    client.reload()
    expect(client.locator("#portal-closed")).to_be_visible()
    shot(page, "onboarded-firm-standard-plan")
    client.context.close()
    context.close()


def test_the_app_has_its_icon(app_server):
    with urllib.request.urlopen(app_server["url"] + "/favicon.ico", timeout=10) as response:
        assert response.status == 200
        assert response.read(4) == b"\x00\x00\x01\x00"  # an ICO file, not the page shell
