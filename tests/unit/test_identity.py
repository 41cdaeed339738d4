"""One identity per e-mail address: case and compatibility forms fold, look-alikes are refused."""

import pytest

from portal_app.services.errors import ServiceError
from portal_app.services.identity import canonical_email


@pytest.mark.parametrize("raw,canonical", [
    ("  Jan.Kowalski@Budmax.EXAMPLE.com ", "jan.kowalski@budmax.example.com"),
    ("\uff4a\uff41\uff4e@budmax.example.com", "jan@budmax.example.com"),  # full-width letters
    ("иван@firma.example.pl", "иван@firma.example.pl"),  # a real Cyrillic name, not a disguise
    ("сое@кафе.рф", "сое@кафе.рф"),  # all Cyrillic: nothing Latin to pass for
    ("zażółć@firma.example.pl", "zażółć@firma.example.pl"),
])
def test_addresses_fold_to_one_form(raw, canonical):
    assert canonical_email(raw) == canonical


@pytest.mark.parametrize("raw", [
    "j\u0430n@budmax.example.com",  # Cyrillic а among Latin letters
    "jan@b\u0443dmax.example.com",  # Cyrillic у in a Latin domain label
    "\u0441\u043e\u0435@kancelaria.example.pl",  # "сое": every letter Cyrillic, reads as "coe"
    "jan@\u0440\u0430\u0443.example.pl",  # "рау" label reads as "pay"
    "\u03bf\u03bd\u03bf@firma.example.pl",  # Greek "ονο" reads as "ovo"
])
def test_look_alikes_are_refused(raw):
    with pytest.raises(ServiceError) as info:
        canonical_email(raw)
    assert info.value.key == "email.confusable"
