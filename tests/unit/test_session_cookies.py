"""Session cookies: the Secure flag follows the public address (https in production)."""

import os
import subprocess
import sys

import pytest

from portal_app import config
from portal_app.state.portal import PortalState
from portal_app.state.staff import StaffState


@pytest.mark.parametrize("url,secure", [
    ("https://portal.kancelaria.example.com", True),
    ("HTTPS://Portal.Example.com/", True),
    ("http://localhost:3000", False),
    ("http://https.example.com", False),
])
def test_secure_cookies_follow_the_public_address(monkeypatch, url, secure):
    monkeypatch.setenv("PORTAL_BASE_URL", url)
    assert config.secure_cookies() is secure


def test_secure_cookies_default_is_the_laptop_address(monkeypatch):
    monkeypatch.delenv("PORTAL_BASE_URL", raising=False)
    assert config.secure_cookies() is False


@pytest.mark.parametrize("state,var", [(StaffState, "staff_token"), (PortalState, "portal_token")])
def test_both_session_cookies_are_declared_with_that_decision(state, var):
    cookie = state.__fields__[var].default
    assert cookie.secure is config.secure_cookies()
    assert cookie.options()["secure"] is config.secure_cookies()


def test_an_https_deployment_declares_secure_session_cookies():
    """Cookie options are read when the states are defined (and compiled): a fresh process shows it."""
    probe = (
        "from portal_app.state.staff import StaffState; from portal_app.state.portal import PortalState; "
        "print(StaffState.__fields__['staff_token'].default.options().get('secure'), "
        "PortalState.__fields__['portal_token'].default.options().get('secure'))"
    )
    env = {**os.environ, "PORTAL_BASE_URL": "https://portal.kancelaria.example.com"}
    out = subprocess.run([sys.executable, "-c", probe], cwd=config.PROJECT_ROOT, env=env,
                         capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == ["True", "True"]
