"""The load phase's clients, run by locust (``bench.load`` starts it headless with this file).

Every client plays the whole mix in a fixed, weighted order: officers on the work queue and the
applications (list and detail through the API), promoters on *Mijn trajecten* (list, detail page,
logging a session), the cabinet on the question-244 statistics and the reach. One class rather than one
per role, so that a single client already touches every endpoint. A client is a person: after each answer
it pauses to read it (the plan's ``think_seconds`` on average, drawn between half and one and a half times
it) before its next request. With 0 it sends the next at once, and N clients are N connections kept busy,
as a load tool's are (the CI smoke run, which must reach every endpoint in a few seconds).

The credentials, ids and addresses come from the plan ``bench.load`` writes (``BENCH_LOAD_PLAN``): API
tokens and sessions made for the benchmark's users beforehand, so no log-in is part of the measure. This
module imports locust, which patches the standard library for gevent: only locust's own process loads it.
"""

import itertools
import json
import os
import random
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlencode

from locust import between, constant, task
from locust.contrib.fasthttp import FastHttpUser

PLAN = json.loads(os.environ["BENCH_LOAD_PLAN"])
_client_numbers = itertools.count()


# Each part of the mix with its weight: of every 19 requests, 2 open the work queue, 4 the list and so on.
MIX = {
    "work_queue": 2,
    "application_list": 4,
    "application_detail": 4,
    "my_trajects": 3,
    "coached_detail": 3,
    "log_session": 1,
    "statistics": 1,
    "reach": 1,
}
# Round after round, each part that has weight left: the first round already has every endpoint, so even a
# short run measures them all (the first client starts there).
SCHEDULE = [name for round_ in range(max(MIX.values())) for name, weight in MIX.items() if weight > round_]


class Visitor(FastHttpUser):
    wait_time = (
        between(PLAN["think_seconds"] / 2, PLAN["think_seconds"] * 3 / 2)
        if PLAN["think_seconds"]
        else constant(0)
    )

    @task
    def next_in_schedule(self):
        getattr(self, SCHEDULE[self.step % len(SCHEDULE)])()
        self.step += 1

    def on_start(self):
        number = next(_client_numbers)
        # Each client is its own browser: its own sessions, given explicitly on every request, and a jar
        # that keeps nothing the answers set (the message after a logged session, for one).
        self.client.cookiejar.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        self.officer_page = self._cookie(PLAN["officer_sessions"][number % len(PLAN["officer_sessions"])])
        self.promoter_page = self._cookie(PLAN["promoter_sessions"][number % len(PLAN["promoter_sessions"])])
        self.officer_api = {"Authorization": f"Token {PLAN['officer_token']}"}
        self.cabinet_api = {"Authorization": f"Token {PLAN['cabinet_token']}"}
        self.random = random.Random(number)
        # Client n starts n steps into the schedule, so that many clients together keep to the weights.
        self.step = number

    def _get(self, path: str, headers: dict, name: str) -> None:
        """GET ``path``; anything but 200 is a failure (a redirect to the log-in page, too)."""
        with self.client.get(
            path, headers=headers, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"answered {response.status_code}")

    @staticmethod
    def _cookie(session_key: str) -> dict:
        return {"Cookie": f"{PLAN['session_cookie']}={session_key}; {PLAN['csrf_cookie']}={PLAN['csrf']}"}

    # -- officers -----------------------------------------------------------------------------------------
    def work_queue(self):
        self._get("/werkbak/", headers=self.officer_page, name="officer: work queue page")

    def application_list(self):
        query = self.random.choice(PLAN["list_queries"])
        self._get(
            f"/api/v1/applications/?{query}", headers=self.officer_api, name="officer: applications API list"
        )

    def application_detail(self):
        pk = self.random.choice(PLAN["application_ids"])
        self._get(
            f"/api/v1/applications/{pk}/", headers=self.officer_api, name="officer: applications API detail"
        )

    # -- promoters ----------------------------------------------------------------------------------------
    def my_trajects(self):
        self._get("/trajecten/", headers=self.promoter_page, name="promoter: Mijn trajecten page")

    def coached_detail(self):
        pk = self.random.choice(PLAN["coached_ids"])
        self._get(f"/trajecten/{pk}/", headers=self.promoter_page, name="promoter: trajectory page")

    def log_session(self):
        pk = self.random.choice(PLAN["coached_ids"])
        # A logged session answers with a redirect to the trajectory; a refused form would answer 200 with
        # its errors, which is a failure here.
        with self.client.post(
            f"/trajecten/{pk}/sessies/",
            data=urlencode({**PLAN["session_form"], "notes": f"Benchmark {self.random.random()}"}),
            headers={
                **self.promoter_page,
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": PLAN["csrf"],
            },
            allow_redirects=False,
            name="promoter: log a session",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"answered {response.status_code}, not the redirect of a logged session")

    # -- the cabinet --------------------------------------------------------------------------------------
    def statistics(self):
        self._get(
            f"/api/v1/statistics/pq244/?as_of={PLAN['as_of']}",
            headers=self.cabinet_api,
            name="cabinet: question-244 statistics API",
        )

    def reach(self):
        by = self.random.choice(PLAN["reach_by"])
        self._get(
            f"/api/v1/statistics/reach/?as_of={PLAN['as_of']}&by={by}",
            headers=self.cabinet_api,
            name="cabinet: reach API",
        )
