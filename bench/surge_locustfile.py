"""The deadline-day crowd for locust, driven by bench/surge.py (which writes the plan this reads).

Each simulated teacher signs in through the national network's SSO (an OpenID Connect provider
speaking the protocol: oidc-provider-mock, run by surge.py), opens 流程進度, opens an online form,
autosaves it as they type, saves it now and then, and uploads a 2 MB PDF to an upload slot. A few
county officers work the 認證審查 queue and open cases meanwhile. Every answer is checked: a page
that is not what a user would see counts as a failure.
"""

import json
import os
import random
import re
from urllib.parse import urlsplit

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["SURGE_PLAN"], encoding="utf-8").read())
TEACHERS = PLAN["teachers"]
OFFICERS = PLAN["officers"]
PDF = open(PLAN["pdf"], "rb").read()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_next_teacher = iter(range(len(TEACHERS)))
_next_officer = iter(range(len(OFFICERS)))


def _csrf(response) -> str:
    found = CSRF.search(response.text)
    return found.group(1) if found else ""


class Teacher(HttpUser):
    """A teacher in the last days before the deadline: a form open, typing, saving, uploading."""

    wait_time = between(3, 12)

    def on_start(self):
        self.me = TEACHERS[next(_next_teacher)]
        self.revision = 0
        self.uploads = 0
        self.sign_in()
        self.open_form()

    def sign_in(self):
        """使用者登入 → 帳號漫遊登入 → the network's page → back to the platform, signed in."""
        with self.client.get(
            PLAN["sso_start"], allow_redirects=False, name="sign in: to the network", catch_response=True
        ) as r:
            if r.status_code != 302:
                r.failure(f"HTTP {r.status_code}")
                return
            authorize = r.headers["Location"]
        # The network's own page and its answer: not the platform's time, so not named as its pages.
        self.client.get(authorize, name="(network) authorize page")
        with self.client.post(
            authorize,
            data={"sub": self.me["sub"]},
            allow_redirects=False,
            name="(network) authorize",
            catch_response=True,
        ) as r:
            if r.status_code != 302:
                r.failure(f"HTTP {r.status_code}")
                return
            callback = r.headers["Location"]
        parts = urlsplit(callback)
        with self.client.get(
            f"{parts.path}?{parts.query}",
            allow_redirects=False,
            name="sign in: back from the network",
            catch_response=True,
        ) as r:
            if r.status_code != 302 or "login" in r.headers.get("Location", ""):
                r.failure(f"not signed in: HTTP {r.status_code} → {r.headers.get('Location')}")

    def open_form(self):
        with self.client.get(self.me["form"], name="form page", catch_response=True) as r:
            self.csrf = _csrf(r)
            if r.status_code != 200 or not self.csrf:
                r.failure(f"HTTP {r.status_code}")

    def posted(self) -> dict:
        return {**PLAN["form_fields"], "csrfmiddlewaretoken": self.csrf, "revision": str(self.revision)}

    @task(3)
    def case_page(self):
        with self.client.get(self.me["case"], name="case page (流程進度)", catch_response=True) as r:
            if r.status_code != 200 or "流程進度" not in r.text:
                r.failure(f"HTTP {r.status_code}")

    @task(6)
    def autosave(self):
        with self.client.post(
            self.me["draft"],
            data=self.posted(),
            headers={"X-CSRFToken": self.csrf},
            name="自動儲存",
            catch_response=True,
        ) as r:
            if r.status_code != 200 or r.json().get("status") != "saved":
                r.failure(f"HTTP {r.status_code}: {r.text[:200]}")

    @task(2)
    def save(self):
        with self.client.post(
            self.me["form"],
            data={**self.posted(), "action": "save"},
            allow_redirects=False,
            name="儲存",
            catch_response=True,
        ) as r:
            if r.status_code != 302:
                r.failure(f"HTTP {r.status_code}: {r.text[:200]}")
                return
            self.revision += 1

    @task(1)
    def upload(self):
        if self.uploads >= 2:
            return
        with self.client.get(self.me["upload"], name="upload page", catch_response=True) as r:
            csrf = _csrf(r)
            if r.status_code != 200 or not csrf:
                r.failure(f"HTTP {r.status_code}")
                return
        data = {**PLAN["upload_fields"], "csrfmiddlewaretoken": csrf, "action": "save", "revision": str(self.uploads)}
        files = {"file": (f"公開授課實施證明-{self.me['sub']}.pdf", PDF, "application/pdf")}
        with self.client.post(
            self.me["upload"],
            data=data,
            files=files,
            allow_redirects=False,
            name="upload 2 MB PDF",
            catch_response=True,
        ) as r:
            if r.status_code != 302:
                r.failure(f"HTTP {r.status_code}: {r.text[:200]}")
                return
            self.uploads += 1


class Officer(HttpUser):
    """A county officer working through 形式審查 while the teachers send."""

    fixed_count = len(OFFICERS)
    wait_time = between(2, 6)

    def on_start(self):
        me = OFFICERS[next(_next_officer) % len(OFFICERS)]
        name, value = me["cookie"].split("=", 1)
        self.client.cookies.set(name, value)
        self.queue = me["queue"]
        self.cases = me["cases"]

    @task(2)
    def queue_page(self):
        with self.client.get(self.queue, name="認證審查 queue", catch_response=True) as r:
            if r.status_code != 200 or "認證審查" not in r.text:
                r.failure(f"HTTP {r.status_code}")

    @task(1)
    def case(self):
        with self.client.get(random.choice(self.cases), name="office case page", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")
