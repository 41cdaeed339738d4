"""A real SMTP relay for tests (aiosmtpd): what the portal's mail sender actually hands over."""

import email
import email.policy
import socket

from aiosmtpd.controller import Controller


class Recorder:
    """aiosmtpd handler keeping every accepted envelope (the relay's side of the story)."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self):
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> tuple[Controller, Recorder]:
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, recorder
