"""The demo of make run for the browser walks of the back office (test_browser_paths, test_browser_types)."""

from dataclasses import dataclass

import pytest

from proteacher.testing import factories
from proteacher.testing import review_walk as walk


@dataclass
class Demo:
    roles: walk.Roles
    mailbox: walk.Mailbox
    pdf: object


@pytest.fixture
def demo(chromium, live_server, smtp_server, settings, tmp_path):
    # The development identity page stands in for the national network's SSO.
    settings.DEBUG = True
    settings.OIDC_ISSUER = ""
    walk.load_demo_data()
    pdf = tmp_path / "證明文件.pdf"
    pdf.write_bytes(factories.pdf_bytes())
    roles = walk.Roles(chromium, live_server.url)
    yield Demo(roles, walk.Mailbox(smtp_server), pdf)
    roles.close()
