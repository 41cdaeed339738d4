"""Building and sending e-mails: templates render, the outbox stores, the sender delivers off the event loop."""

from portal_app.mail.outbox import delivery_state, enqueue
from portal_app.mail.sender import deliver_due, deliver_soon
from portal_app.mail.templates import Rendered, invitation_email, password_reset_email

__all__ = [
    "Rendered",
    "deliver_due",
    "deliver_soon",
    "delivery_state",
    "enqueue",
    "invitation_email",
    "password_reset_email",
]
