"""Style props hold CSS values: a bare Radix space token (`padding="6"`) is invalid CSS and dropped."""

import re
from pathlib import Path

from tests.conftest import PROJECT_ROOT

BARE_TOKEN = re.compile(r"\b(?:padding|margin|gap|top|bottom|left|right|inset)(?:_[a-z]+)?=\"\d+\"")


def test_no_style_prop_is_a_bare_number():
    sources = [p for folder in ("components", "pages") for p in (PROJECT_ROOT / "portal_app" / folder).rglob("*.py")]
    assert len(sources) > 5
    found = [f"{path.relative_to(PROJECT_ROOT)}: {m.group(0)}" for path in sources
             for m in BARE_TOKEN.finditer(Path(path).read_text())]
    assert found == []
