"""Council reports: `/rapports/`, one report and its frozen files, their preparation.

- Readers: the list of published reports, one report (summary, each axis and action, « Ce qui
  a changé depuis la séance du … » against the previous report or the one `?depuis=` names,
  the decisions asked), and its PDF, workbook and JSON. Every one of them is drawn from the
  report's stored snapshot (`roadmap.reports`), never from live data, in a fixed number of
  queries whatever the size of the roadmap.
- Administrators: `/rapports/preparation/` opens a report, shows how far along it is and what
  still awaits review (linking to `/a-valider/`), and publishes it (which freezes it, then
  renders its PDF once: `roadmap.report_pdf`).
- Members: `…/seance/` under an action marks it « à jour pour la séance » with the decisions
  asked of the council; `/mes-actions/` shows the forms (`preparation_context`).
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from roadmap import report_pdf as pdfs
from roadmap.caching import cached_for_readers
from roadmap.forms import ReadinessForm, ReportForm
from roadmap.french import format_date
from roadmap.models import ActionReadiness, Report, Roadmap
from roadmap.queries import awaiting_review_by_action, with_last_update
from roadmap.reports import (
    default_title,
    earlier_reports,
    load,
    needs_update,
    open_report,
    preparation,
    readiness_of,
    report_context,
    report_slug,
    workbook,
)
from roadmap.writes import save_new, save_unless_changed

from .common import current_roadmap_or_404, render_page
from .edit import CONFLICT, INVALID, editor_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Reading a report


def _published(slug: str) -> Report:
    """The published report, without its PDF's bytes but knowing whether it has one."""
    return get_object_or_404(
        Report.objects.published()
        .defer("pdf")
        .annotate(has_pdf=ExpressionWrapper(~Q(pdf=b""), output_field=BooleanField())),
        slug=slug,
    )


def _compared(request: HttpRequest, report: Report) -> tuple[Report | None, list[Report]]:
    """The report to compare with (`?depuis=`, else the previous one) and the earlier ones.

    An unknown or later report in `?depuis=` is ignored, with a message saying so."""
    earlier = earlier_reports(report)
    wanted = request.GET.get("depuis")
    since = earlier[0] if earlier else None
    if wanted:
        found = next((item for item in earlier if item.slug == wanted), None)
        if found is None:
            messages.warning(
                request,
                _(
                    "« %(value)s » n'est pas un rapport publié avant celui-ci : la comparaison "
                    "porte sur le rapport précédent."
                )
                % {"value": wanted[:80]},
            )
        else:
            since = found
    if since is not None:
        # Only the compared report's snapshot is read: the list above defers them.
        since = Report.objects.defer("pdf").get(pk=since.pk)
    return since, earlier


@require_safe
@cached_for_readers
def report_list(request: HttpRequest) -> HttpResponse:
    """`/rapports/`: the published reports, the latest session first."""
    roadmap = Roadmap.objects.current()
    reports = list(Report.objects.published().defer("snapshot", "pdf"))
    return render_page(
        request,
        "roadmap/reports/list.html",
        roadmap,
        _("Rapports au Conseil du numérique en santé"),
        reports=reports,
        is_administrator=request.user.is_authenticated and request.user.is_administrator,
    )


@require_safe
@cached_for_readers(params=("depuis",))
def report_detail(request: HttpRequest, slug: str) -> HttpResponse:
    report = _published(slug)
    since, earlier = _compared(request, report)
    context = report_context(report, since, earlier)
    return render_page(
        request,
        "roadmap/reports/detail.html",
        Roadmap.objects.current(),
        report.title,
        links=[{"url": reverse("roadmap:reports"), "title": _("Rapports au Conseil")}],
        pdf_available=report.has_pdf,
        **context,
    )


def _download(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
@cached_for_readers
def report_json(request: HttpRequest, slug: str) -> HttpResponse:
    """The snapshot exactly as it was stored at publication, byte for byte."""
    report = _published(slug)
    return _download(
        report.snapshot.encode("utf-8"), "application/json; charset=utf-8", f"{slug}.json"
    )


@require_safe
@cached_for_readers
def report_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    report = _published(slug)
    return _download(workbook(load(report.snapshot)), XLSX, f"{slug}.xlsx")


@require_safe
@cached_for_readers
def report_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The PDF stored at publication, byte for byte: never rendered here. A report without one
    (no renderer on the server when it was published, or published before PDFs were kept)
    gets a page saying how to print it instead (never a 500)."""
    report = get_object_or_404(Report.objects.published(), slug=slug)
    if not report.pdf:
        return render_page(
            request,
            "roadmap/reports/no_pdf.html",
            Roadmap.objects.current(),
            _("PDF indisponible"),
            status=503,
            report=report,
            renderer=pdfs.pdf_renderer() is not None,
        )
    return _download(bytes(report.pdf), "application/pdf", f"{slug}.pdf")


# --- Preparing and publishing (administrators)


def administrator_required(view):
    """Signed in (else to the sign-in page) and an administrator (else 403)."""

    @functools.wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_administrator:
            raise PermissionDenied(_("Seul un administrateur prépare les rapports au Conseil."))
        return view(request, *args, **kwargs)

    return wrapper


def _awaiting(roadmap) -> dict:
    """What awaits review in `roadmap`, by action, and how many of each kind in all."""
    actions = awaiting_review_by_action(roadmap)
    counts = {
        kind: sum(getattr(item, kind) for item in actions)
        for kind in ("measurements", "notes", "indicators")
    }
    return {"actions": actions, "total": sum(counts.values()), **counts}


def _preparation_page(request, roadmap, form, *, status=200):
    report = Report.objects.in_preparation(roadmap)
    return render_page(
        request,
        "roadmap/reports/preparation.html",
        roadmap,
        _("Préparer un rapport au Conseil"),
        links=[{"url": reverse("roadmap:reports"), "title": _("Rapports au Conseil")}],
        status=status,
        report=report,
        progress=preparation(report) if report else None,
        # What a report would leave out: it freezes published values and notes only.
        awaiting=_awaiting(roadmap) if report else None,
        form=form,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@administrator_required
def report_preparation(request: HttpRequest) -> HttpResponse:
    """GET: the report in preparation and how far along it is, or the form to open one.
    POST: open a report (one at a time)."""
    roadmap = current_roadmap_or_404()
    if request.method != "POST":
        return _preparation_page(request, roadmap, ReportForm())
    if Report.objects.in_preparation(roadmap) is not None:
        return _preparation_page(request, roadmap, ReportForm(), status=CONFLICT)
    form = ReportForm(request.POST, slug_of=report_slug)
    if not form.is_valid():
        return _preparation_page(request, roadmap, form, status=INVALID)
    meeting = form.cleaned_data["meeting_date"]
    report = open_report(
        roadmap,
        form.cleaned_data["title"] or default_title(meeting),
        meeting,
        form.cleaned_data["deadline"],
        request.user,
    )
    messages.success(
        request,
        _("Rapport « %(title)s » ouvert : les pilotes peuvent marquer leurs actions à jour.")
        % {"title": report.title},
    )
    return redirect("roadmap:report-preparation")


@require_POST
@administrator_required
def report_publish(request: HttpRequest, slug: str) -> HttpResponse:
    """Freeze and publish the report in preparation; 409 if it changed or is published."""
    report = get_object_or_404(Report, slug=slug)
    roadmap = current_roadmap_or_404()
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    if report.is_published or version is None:
        messages.error(
            request,
            _("Ce rapport est déjà publié.")
            if report.is_published
            else _("Ce formulaire est incomplet : rechargez la page et recommencez."),
        )
        return _preparation_page(
            request, roadmap, ReportForm(), status=CONFLICT if report.is_published else INVALID
        )
    # The snapshot is committed, then the PDF rendered in this same request (a second or two
    # for the seed's 17 actions; for a roadmap of hundreds, `manage.py publish_report`).
    locked, pdf = pdfs.publish(report, version, request.user)
    if locked.stale:
        messages.error(
            request,
            _("Ce rapport a changé entre-temps : vérifiez-le, puis publiez-le à nouveau."),
        )
        return _preparation_page(request, roadmap, ReportForm(), status=CONFLICT)
    messages.success(request, _("Rapport publié : il ne changera plus."))
    if not pdf:
        messages.warning(
            request,
            _(
                "Son PDF n'a pas pu être produit sur ce serveur : les lecteurs sont invités à "
                "imprimer la page. Il peut être produit plus tard (manage.py render_report_pdfs)."
            ),
        )
    return redirect(report.get_absolute_url())


# --- Members: « à jour pour la séance »


def preparation_context(user, report: Report | None, rows) -> dict:
    """What `/mes-actions/` shows of the report in preparation: for each of the user's actions
    (`rows`, with their last update), whether it still needs an update for the session, whether
    it is marked ready, and the form to mark it; for administrators, how far along it is."""
    if report is None or not (rows or user.is_administrator):
        # Someone with no action to update (a reader) has nothing to prepare.
        return {"session": None}
    actions = [row.summary.action for row in rows]
    marks = readiness_of(report, [action.pk for action in actions])
    items = [session_item(report, action, marks.get(action.pk)) for action in actions]
    return {
        "session": {
            "report": report,
            "items": items,
            "to_update": sum(1 for item in items if item["needs_update"]),
            "ready": sum(1 for item in items if item["mark"] is not None),
            "progress": preparation(report) if user.is_administrator else None,
        }
    }


def session_item(report: Report, action, mark: ActionReadiness | None, form=None) -> dict:
    return {
        "report": report,
        "action": action,
        "needs_update": needs_update(action.last_update, report),
        "mark": mark,
        "form": form
        or ReadinessForm(
            instance=mark,
            initial={"version": mark.version} if mark else None,
            prefix=f"seance-{action.slug}",
        ),
    }


def _respond_item(request, report, action, mark, *, form=None, status=200, message=None):
    """The action's item of the session list: the partial for HTMX (the same as in
    `/mes-actions/`), else back to `/mes-actions/`, or a page with the form and its errors."""
    action.last_update = (
        with_last_update(type(action).objects.filter(pk=action.pk))
        .values_list("last_update", flat=True)
        .get()
    )
    item = session_item(report, action, mark, form)
    if status == CONFLICT:
        item["conflict"] = True
    if request.htmx:
        # The item, then out of band the page's live region and, for administrators, how far
        # along the report is (the same partials as `/mes-actions/`).
        parts = [render_to_string("roadmap/partials/session_item.html", {"item": item}, request)]
        if message:
            parts.append(
                format_html('<p id="annonce-seance" hx-swap-oob="innerHTML">{}</p>', message)
            )
        if request.user.is_administrator:
            parts.append(
                render_to_string(
                    "roadmap/partials/report_progress.html",
                    {"progress": preparation(report), "oob": True},
                    request,
                )
            )
        return HttpResponse("".join(parts), status=status)
    if status == 200:
        messages.success(request, message)
        return redirect(f"{reverse('roadmap:my-actions')}#seance-{action.slug}")
    return render_page(
        request,
        "roadmap/reports/session_error.html",
        action.roadmap,
        _("Action à jour pour la séance"),
        links=[{"url": reverse("roadmap:my-actions"), "title": _("Mes actions")}],
        status=status,
        axes=[],
        item=item,
    )


@editor_required
def mark_ready(request: HttpRequest, action) -> HttpResponse:
    """Mark `action` « à jour pour la séance » of the report in preparation, with the
    decisions asked of the council (or change them); 409 when no report is in preparation."""
    report = Report.objects.in_preparation(action.roadmap)
    if report is None:
        raise Http404(_("Aucun rapport au Conseil n'est en préparation."))
    mark = ActionReadiness.objects.filter(report=report, action=action).first()
    prefix = f"seance-{action.slug}"
    form = ReadinessForm(request.POST, instance=mark, prefix=prefix)
    if not form.is_valid():
        return _respond_item(request, report, action, mark, form=form, status=INVALID)
    decisions = form.cleaned_data["decisions"]
    if mark is None:
        form.instance.report, form.instance.action = report, action
        form.instance.ready_by = request.user
        duplicate = save_new(
            form, lambda: ReadinessForm(request.POST, instance=mark, prefix=prefix)
        )
        mark = ActionReadiness.objects.filter(report=report, action=action).first()
        if duplicate is not None:
            return _respond_item(request, report, action, mark, form=None, status=CONFLICT)
    else:
        version = form.cleaned_data["version"]
        locked = save_unless_changed(
            ActionReadiness,
            mark.pk,
            version if version is not None else -1,
            decisions=decisions,
            ready_by=request.user,
        )
        mark = locked.row
        if locked.stale:
            return _respond_item(request, report, action, mark, status=CONFLICT)
    return _respond_item(
        request,
        report,
        action,
        mark,
        message=_("%(code)s marquée à jour pour la séance du %(date)s.")
        % {"code": action.code, "date": format_date(report.meeting_date)},
    )
