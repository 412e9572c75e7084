"""A real SMTP server for tests (aiosmtpd), so mail goes through Django's SMTP backend end to end.

    with running_smtp_server() as server:   # anywhere
        ...
        server.messages[0].message["Subject"]

    def test_mail(smtp_server):              # pytest: Django is pointed at the server
        ...

To use the fixture in any test module, import it (pytest finds fixtures by name in the module or
in a conftest.py): `from proteacher.testing.smtp import smtp_server  # noqa: F401`.
"""

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller

LOOPBACK = "127.0.0.1"


@dataclass
class ReceivedMessage:
    mail_from: str
    rcpt_tos: list[str]
    # Parsed with the modern policy: headers come back decoded, get_body()/get_content() decode
    # the transfer encoding and charset.
    message: EmailMessage

    @property
    def subject(self) -> str:
        # Django folds an encoded subject onto a continuation line; unfolding leaves a leading space.
        return str(self.message["Subject"]).strip()

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()


class CollectingHandler:
    """Accepts every message and keeps it; or, while `refusing` holds an SMTP reply (say
    "554 5.7.1 …"), refuses each message with it and keeps nothing."""

    def __init__(self) -> None:
        self.messages: list[ReceivedMessage] = []
        self.refusing = ""
        # Called with each message kept, before the server answers 250 (a test's hook).
        self.on_accept = None
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        if self.refusing:
            return self.refusing
        raw = envelope.original_content or envelope.content
        parsed = BytesParser(policy=policy.default).parsebytes(raw)
        with self._lock:
            received = ReceivedMessage(envelope.mail_from, list(envelope.rcpt_tos), parsed)
            self.messages.append(received)
        if self.on_accept is not None:
            self.on_accept(received)
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: CollectingHandler = field(repr=False)

    @property
    def messages(self) -> list[ReceivedMessage]:
        return self.handler.messages

    def refuse(self, reply: str = "554 5.7.1 Message refused") -> None:
        """Refuse every message from now on with `reply` (a permanent SMTP error)."""
        self.handler.refusing = reply

    def accept(self) -> None:
        self.handler.refusing = ""


def free_port(host: str = LOOPBACK) -> int:
    """A port nothing listens on right now (also useful to play a mail server that is down)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@contextmanager
def running_smtp_server(host: str = LOOPBACK) -> Iterator[SmtpServer]:
    """Start an SMTP server on a free loopback port; stop it on exit."""
    handler = CollectingHandler()
    # aiosmtpd checks that the server answers on the port it was given, so it cannot take port 0;
    # another process may grab the probed port in between, hence a few attempts.
    for attempt in range(5):
        port = free_port(host)
        controller = Controller(handler, hostname=host, port=port)
        try:
            controller.start()
        except OSError:
            controller.loop.close()
            if attempt == 4:
                raise
            continue
        break
    try:
        yield SmtpServer(host=host, port=port, handler=handler)
    finally:
        controller.stop()


def use_smtp_server(settings, host: str, port: int) -> None:
    """Point Django's email at an SMTP server (pytest-django's `settings` fixture undoes it)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = host
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def smtp_server(settings) -> Iterator[SmtpServer]:
    """A running SMTP server that Django's email is sent to for the length of the test."""
    with running_smtp_server() as server:
        use_smtp_server(settings, server.host, server.port)
        yield server
