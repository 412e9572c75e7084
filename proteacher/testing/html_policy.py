"""Every HTML response the tests' Django client receives must carry the Content-Security-Policy.

The whole suite walks nearly every route for every role (the route access matrices and the tests
of each page), so checking each HTML answer there proves the policy is on every page, error pages
and the refused-post page included. Django's technical 404 and 500 pages of DEBUG (never on in
production) are left out, as django-csp leaves them.
"""

import pytest
from django.conf import settings
from django.test.client import ClientHandler


@pytest.fixture(autouse=True)
def every_html_response_carries_the_policy(monkeypatch):
    handle = ClientHandler.__call__

    def checked(self, environ, *args, **kwargs):
        response = handle(self, environ, *args, **kwargs)
        debug_page = settings.DEBUG and response.status_code in (404, 500)
        if response.get("Content-Type", "").startswith("text/html") and not debug_page:
            assert "Content-Security-Policy" in response, (
                f"{environ.get('PATH_INFO')} answered HTML without a Content-Security-Policy"
            )
        return response

    monkeypatch.setattr(ClientHandler, "__call__", checked)
