"""The council report pages at 1280×800 and 390×844, and without JavaScript.

No page is wider than the window, nor has a serious or critical axe violation (the report, the
list, the preparation, « Mes actions » with the session's forms; axe is injected, so these
contexts bypass the app's CSP); with JavaScript off, a member marks an action ready with the
plain form and a reader compares two reports through the plain GET form.
"""

from __future__ import annotations

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Page, expect

from roadmap.models import ActionReadiness, Roadmap
from roadmap.reports import default_title, open_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"1280x800": {"width": 1280, "height": 800}, "390x844": {"width": 390, "height": 844}}
WIDER = "() => [document.documentElement.scrollWidth, window.innerWidth]"
AXE = Axe()


def serious_violations(page: Page) -> list[str]:
    results = AXE.run(page, options={"resultTypes": ["violations"]})
    return [
        f"{page.url} — {violation['id']} : {violation['help']} — {node['html'][:160]}"
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
        for node in violation["nodes"]
    ]


@pytest.fixture
def reports(roadmap):
    call_command("publish_report", "--meeting-date", "2026-03-12")
    call_command("publish_report", "--meeting-date", "2026-06-18")
    meeting = datetime.date(2026, 10, 8)
    open_report(Roadmap.objects.current(), default_title(meeting), meeting, None, None)


@pytest.mark.parametrize("size", SIZES)
def test_the_report_pages_fit_the_window(reports, sign_in, new_context, administrator, size):
    reader = new_context(bypass_csp=True).new_page()
    reader.set_viewport_size(SIZES[size])
    found = []
    for url in ("/rapports/", "/rapports/seance-2026-06-18/"):
        reader.goto(url)
        width, window = reader.evaluate(WIDER)
        assert width <= window, f"{url} à {size} : {width} px pour {window}"
        found += serious_violations(reader)
    admin = sign_in(administrator, bypass_csp=True)
    admin.set_viewport_size(SIZES[size])
    for url in ("/rapports/preparation/", "/mes-actions/"):
        admin.goto(url)
        width, window = admin.evaluate(WIDER)
        assert width <= window, f"{url} à {size} : {width} px pour {window}"
        found += serious_violations(admin)
    assert found == []


def test_without_javascript_a_member_marks_ready_and_a_reader_compares(
    reports, sign_in, new_context, has_member
):
    member = sign_in(has_member, java_script_enabled=False)
    member.goto("/mes-actions/")
    item = member.locator("#seance-ia-2-4")
    item.get_by_label("Décisions demandées au Conseil").fill("Arbitrer le budget.")
    item.get_by_role("button", name="Marquer à jour pour la séance").click()
    expect(member).to_have_url(re.compile(r"/mes-actions/#seance-ia-2-4$"))
    expect(member.locator("#seance-ia-2-4")).to_contain_text("À jour pour la séance")
    assert list(ActionReadiness.objects.values_list("decisions", flat=True)) == [
        "Arbitrer le budget."
    ]

    reader = new_context(java_script_enabled=False).new_page()
    reader.goto("/rapports/seance-2026-06-18/")
    expect(reader.locator("#changements-titre")).to_contain_text("12")
    reader.get_by_role("button", name="Comparer").click()
    expect(reader).to_have_url(re.compile(r"\?depuis=seance-2026-03-12$"))
