"""Many people at once over real HTTP, for the concurrency tests against a live server
(tests/roadmap/test_concurrency.py, tests/roadmap/test_review_concurrency.py): a signed-in
person with their own session and CSRF token, and functions released together."""

import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

from django.test import Client


class Browser:
    """A signed-in person: their own session cookie and CSRF token, over real HTTP."""

    def __init__(self, live_server, user):
        self.base = live_server.url
        client = Client()
        client.force_login(user)
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )
        self.session = client.cookies["sessionid"].value
        self.username = user.username

    def get(self, path):
        request = urllib.request.Request(self.base + path)
        request.add_header("Cookie", f"sessionid={self.session}")
        with self.opener.open(request) as response:
            html = response.read().decode()
        self.csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        return html

    def post(self, path, data) -> int:
        body = urllib.parse.urlencode(
            {**data, "csrfmiddlewaretoken": self.csrf}, doseq=True
        ).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")
        request.add_header("Cookie", f"sessionid={self.session}; csrftoken={self.csrf_cookie}")
        request.add_header("Referer", self.base + path)
        request.add_header("HX-Request", "true")
        try:
            with self.opener.open(request) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    @property
    def csrf_cookie(self):
        return next(c.value for c in self.jar if c.name == "csrftoken")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def all_at_once(functions):
    """Run each function in its own thread, released together; return their results."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(index, function):
        barrier.wait()
        results[index] = function()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
