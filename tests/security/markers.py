"""What each role must never receive: firm A's data beyond its share, hashes and others' secrets."""

# Firm A's data that no one outside firm A may see (demo data, portal_app/services/demo.py).
FIRM_A_PRIVATE = [
    "Budmax", "biuro@budmax.example.com", "Wiśniewska", "ewa.wisniewska@example.com", "Łazar Logistics",
    "prawny@lazar.example.com", "FV/2026/101", "FV/2026/087", "FV/2026/110", "FV/2026/040",
    "Spór z podwykonawcą", "Sprawa spadkowa", "admin@nowak.example.com", "asystent@nowak.example.com",
    "Piotr Zieliński", "klient.bezpieczny@budmax.example.com",
]

# Firm A's data outside the client's shared matter 2026/014 (other contacts, other matters, drafts)
# and staff-only fields.
NOT_SHARED_WITH_CLIENT = [
    "Wiśniewska", "ewa.wisniewska@example.com", "Łazar Logistics", "prawny@lazar.example.com",
    "FV/2026/110", "FZ/2026/020", "FV/2026/040", "FV/2026/051", "FV/2026/120", "FV/2026/099",
    "Umowa najmu hali", "Sprawa spadkowa", "admin@nowak.example.com", "asystent@nowak.example.com",
    "Żółw", "K/FV/2026/001", "password_hash", "token_hash",
]

# Firm B's data, which firm A's people must never see.
FIRM_B_PRIVATE = ["Żółw i Syn", "kontakt@zolw.example.com", "K/FV/2026/001", "Rejestracja znaku", "admin@kowalczyk.example.com"]

ALWAYS_SECRET = ["$2b$", "password_hash", "token_hash"]


def forbidden_for(role: str) -> list[str]:
    """Strings that must not appear in anything sent to this role."""
    if role in ("nobody", "admin_b"):
        return FIRM_A_PRIVATE + ALWAYS_SECRET
    if role == "client_a":
        return NOT_SHARED_WITH_CLIENT + FIRM_B_PRIVATE + ALWAYS_SECRET
    return FIRM_B_PRIVATE + ALWAYS_SECRET


def found(text: str, needles: list[str]) -> list[str]:
    return [n for n in needles if n and n in text]
