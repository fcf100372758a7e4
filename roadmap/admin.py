"""Admin for the roadmap: administrators correct data here, read each row's history, and bring
the roadmap in and out as spreadsheets.

- Actions, milestones, indicators and measurements have django-import-export's buttons: import
  one sheet (preview, then confirm) and export it, in the French format of `roadmap.spreadsheets`.
- An indicator's form groups its periods, its sum, its interpretation and its retirement, with
  its dated targets (`Target`) and its measurements inline; every change keeps its history.
- « Imports de classeurs » (/admin/roadmap/importupload/) is the whole-workbook import: upload an
  .xlsx or a .csv, see per sheet what would change, confirm; plus the blank template and the
  export of the whole workbook.

Only administrators (`user.is_administrator`) may import or export. Between the preview and the
confirmation the file waits in the database (`ImportUpload`, `roadmap.spreadsheets.uploads`), so
that any app server can take the confirmation.

The admin site is named after the service here (header, page titles, home page); its template,
templates/admin/base_site.html, shows those names and adds static/css/admin.css to every page.
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin

from accounts.forms import AdminSignInForm

from . import progress
from .inputs import InputPolicyForm
from .models import (
    Action,
    Axis,
    ImportUpload,
    Indicator,
    Measurement,
    Milestone,
    ProgressNote,
    Report,
    Roadmap,
    Target,
)
from .reviews import Conflict, Item, decide
from .spreadsheets import (
    SHEETS,
    XLSX_CONTENT_TYPE,
    display,
    export_workbook,
    import_file,
    keep_upload,
    max_bytes,
    max_rows,
    sheet_formats,
    sheet_spec,
    template_workbook,
)

admin.site.site_header = gettext_lazy("Administration — Feuille de route IA en santé")
admin.site.site_title = gettext_lazy("Administration — Feuille de route IA en santé")
admin.site.index_title = gettext_lazy("Accueil de l’administration")
# The username's length checked before authentication, as on the site (accounts/forms.py).
admin.site.login_form = AdminSignInForm


class InputPolicyAdmin:
    """Mixin of every ModelAdmin and inline here: its forms carry the input policy
    (`roadmap.inputs`: line breaks normalised, control characters and over-long texts refused,
    dates within the range), as the task force's forms do."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        return _policed(super().get_form(request, obj, change=change, **kwargs))

    def get_changelist_form(self, request, **kwargs):
        return _policed(super().get_changelist_form(request, **kwargs))


class InputPolicyInline:
    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = _policed(formset.form)
        return formset


def _policed(form_class):
    if issubclass(form_class, InputPolicyForm):
        return form_class
    return type(form_class.__name__, (InputPolicyForm, form_class), {})


class SpreadsheetExportMixin(InputPolicyAdmin, ExportMixin):
    """Per-model export of one sheet, for administrators, in the workbook's format.

    There is no per-model import: a file of one sheet (a CSV, or a workbook with that sheet
    only) goes through the whole-workbook import below, the one upload path, with its guard
    rails, its preview and its all-or-nothing write (docs/contract.md).
    """

    sheet_name = ""

    def get_resource_classes(self, request):
        return [sheet_spec(self.sheet_name).resource_class]

    @property
    def export_formats(self):
        return sheet_formats(self.sheet_name)

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {"roadmap": Roadmap.objects.current(), "user": request.user}

    def has_export_permission(self, request):
        return request.user.is_administrator


class LabelledTabularInline(InputPolicyInline, admin.TabularInline):
    """A tabular inline whose controls are named for screen readers.

    Django's tabular inlines name each field only in its column header, which labels nothing
    (axe: « label », « select-name »; RGAA 11.1): each control gets its field's name, and the
    deletion box « Supprimer », as aria-label.
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            # A foreign key's select sits inside the admin's wrapper (its « + » and « ✎ » links).
            widget = getattr(formfield.widget, "widget", formfield.widget)
            widget.attrs.setdefault("aria-label", capfirst(formfield.label))
        return formfield

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                if "DELETE" in form.fields:
                    form.fields["DELETE"].widget.attrs["aria-label"] = _("Supprimer")

        return LabelledFormSet


class AxisInline(LabelledTabularInline):
    model = Axis
    extra = 0


@admin.register(Roadmap)
class RoadmapAdmin(InputPolicyAdmin, admin.ModelAdmin):
    list_display = ["title", "period", "source_date", "demonstration"]
    prepopulated_fields = {"slug": ["title"]}
    fields = [
        "title",
        "slug",
        "period",
        "source_title",
        "source_date",
        "description",
        "interpretation",
        "demonstration",
    ]
    inlines = [AxisInline]


@admin.register(Axis)
class AxisAdmin(InputPolicyAdmin, admin.ModelAdmin):
    list_display = ["number", "short_title", "roadmap"]
    list_filter = ["roadmap"]


class MilestoneInline(LabelledTabularInline):
    model = Milestone
    fields = ["title", "due_date", "original_due_date", "done_on"]
    readonly_fields = ["original_due_date"]
    extra = 0


class IndicatorInline(LabelledTabularInline):
    model = Indicator
    fields = ["code", "label", "unit", "kind", "target_value", "target_date"]
    extra = 0
    show_change_link = True


@admin.register(Action)
class ActionAdmin(SpreadsheetExportMixin, SimpleHistoryAdmin):
    sheet_name = "Actions"
    list_display = ["code", "title", "axis", "lead", "status", "updated_at"]
    list_filter = ["roadmap", "axis", "status", "lead"]
    list_select_related = ["axis", "lead"]
    search_fields = ["code", "title"]
    exclude = ["roadmap"]
    inlines = [MilestoneInline, IndicatorInline]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "partners":
            # One labelled checkbox per organisation: Django's two-list widget (filter_horizontal)
            # puts an aria-label on its help icons that ARIA forbids there (axe: serious).
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Milestone)
class MilestoneAdmin(SpreadsheetExportMixin, SimpleHistoryAdmin):
    sheet_name = "Jalons"
    list_display = ["title", "action", "due_date", "original_due_date", "done_on"]
    list_filter = ["roadmap"]
    list_select_related = ["action"]
    search_fields = ["title", "action__code"]
    fields = [
        "roadmap",
        "action",
        "title",
        "due_date",
        "original_due_date",
        "done_on",
        "source",
        "interpretation",
    ]
    readonly_fields = ["original_due_date"]


class MeasurementForm(forms.ModelForm):
    """A measurement of the admin; none is recorded on a sum, whose values are those of the
    indicator it adds up (docs/domain.md)."""

    class Meta:
        model = Measurement
        fields = ["indicator", "date", "value", "source", "comment"]

    def clean(self):
        cleaned = super().clean()
        indicator = cleaned.get("indicator") or getattr(self.instance, "indicator", None)
        if indicator is not None and indicator.summed_from_id and self.has_changed():
            raise forms.ValidationError(
                _("%(sum)s est la somme de %(source)s : saisissez les valeurs sur %(source)s.")
                % {"sum": indicator.code, "source": indicator.summed_from.code}
            )
        return cleaned


class MeasurementInline(LabelledTabularInline):
    model = Measurement
    form = MeasurementForm
    fields = ["date", "value", "source", "comment"]
    extra = 0


class TargetInline(LabelledTabularInline):
    """The dated targets besides the final one (docs/domain.md « Cibles »)."""

    model = Target
    fields = ["on", "value", "source", "interpretation"]
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(SpreadsheetExportMixin, SimpleHistoryAdmin):
    sheet_name = "Indicateurs"
    list_display = [
        "code",
        "label",
        "action",
        "kind",
        "periodicity",
        "target_value",
        "target_date",
        "retired_on",
    ]
    list_filter = ["roadmap", "kind", "periodicity"]
    list_select_related = ["action"]
    search_fields = ["code", "label"]
    fieldsets = [
        (None, {"fields": ["action", "code", "label", "unit", "kind", "direction", "position"]}),
        (
            gettext_lazy("Valeur initiale et cible finale"),
            {
                "fields": [
                    "baseline_value",
                    "baseline_date",
                    "target_value",
                    "target_date",
                    "source",
                ]
            },
        ),
        (
            gettext_lazy("Périodes (indicateur par période)"),
            {"fields": ["periodicity", "periods_from", "period_count"]},
        ),
        (gettext_lazy("Somme (indicateur cumulatif)"), {"fields": ["summed_from"]}),
        (gettext_lazy("Interprétation et retrait"), {"fields": ["interpretation", "retired_on"]}),
    ]
    inlines = [TargetInline, MeasurementInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "summed_from":
            # Only a per-period indicator can be added up (the model checks the action).
            kwargs["queryset"] = Indicator.objects.filter(kind=progress.PER_PERIOD).order_by("code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# The review trail of a measurement or a note (docs/domain.md « Relecture »): shown, never typed.
REVIEW_FIELDS = [
    "review_state",
    "proposed_by",
    "proposed_at",
    "reviewed_by",
    "reviewed_at",
    "review_comment",
]


class ReviewActions:
    """Publish from the admin's list what is proposed, under the one rule of who reviews
    (`reviewable_by`): an administrator's own proposals are left for another one."""

    actions = ["publish_selected"]

    @admin.action(description=gettext_lazy("Publier les propositions sélectionnées"))
    def publish_selected(self, request, queryset):
        reviewable = list(queryset.reviewable_by(request.user))
        items = [Item(self.model, row.pk, row.version) for row in reviewable]
        try:
            done = decide(request.user, items, publish=True) if items else []
        except Conflict:
            self.message_user(
                request,
                _("Quelqu'un a agi entre-temps : rien n'a été publié, recommencez."),
                messages.WARNING,
            )
            return
        left = queryset.count() - len(done)
        self.message_user(
            request,
            ngettext(
                "%(count)s proposition publiée.", "%(count)s propositions publiées.", len(done)
            )
            % {"count": len(done)},
        )
        if left:
            self.message_user(
                request,
                ngettext(
                    "%(count)s ligne laissée telle quelle (déjà publiée, renvoyée ou proposée "
                    "par vous-même).",
                    "%(count)s lignes laissées telles quelles (déjà publiées, renvoyées ou "
                    "proposées par vous-même).",
                    left,
                )
                % {"count": left},
                messages.WARNING,
            )


@admin.register(Measurement)
class MeasurementAdmin(ReviewActions, SpreadsheetExportMixin, SimpleHistoryAdmin):
    sheet_name = "Mesures"
    form = MeasurementForm
    list_display = ["indicator", "date", "value", "source", "recorded_by", "review_state"]
    list_filter = ["indicator__roadmap", "review_state"]
    list_select_related = ["indicator", "recorded_by"]
    search_fields = ["indicator__code", "source"]
    readonly_fields = ["recorded_by", *REVIEW_FIELDS]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ProgressNote)
class ProgressNoteAdmin(ReviewActions, InputPolicyAdmin, SimpleHistoryAdmin):
    list_display = ["action", "written_on", "author", "review_state"]
    list_filter = ["review_state"]
    list_select_related = ["action", "author"]
    search_fields = ["action__code", "done"]
    readonly_fields = REVIEW_FIELDS


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Council reports: opened and published from `/rapports/preparation/`; here they are read,
    and one in preparation may be corrected or deleted. A published report is frozen."""

    list_display = ["title", "meeting_date", "state", "published_at"]
    list_filter = ["state"]
    exclude = ["snapshot"]
    readonly_fields = ["state", "opened_by", "published_at", "published_by"]

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)


# ---------------------------------------------------------------------------------------------
# The whole-workbook import


class WorkbookUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Fichier à importer"))
    roadmap = forms.ModelChoiceField(
        label=gettext_lazy("Feuille de route"), queryset=Roadmap.objects.all(), empty_label=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Un classeur Excel (.xlsx) avec les feuilles Actions, Jalons, Indicateurs, Mesures "
            "et Cibles, ou une seule de ces feuilles en CSV (.csv) ; %(size)d Mo et %(rows)s "
            "lignes au plus."
        ) % {"size": max_bytes() // (1024 * 1024), "rows": display(max_rows())}
        self.fields["roadmap"].initial = Roadmap.objects.current()

    def clean_file(self):
        # Checked before reading the file into memory; the reader checks it again for the
        # command line.
        upload = self.cleaned_data["file"]
        if upload.size > max_bytes():
            raise forms.ValidationError(
                _("Le fichier dépasse la taille maximale de %(limit)d Mo.")
                % {"limit": max_bytes() // (1024 * 1024)}
            )
        return upload


def _attachment(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _administrators_only(view):
    """The view for administrators; anyone else signed in to the admin gets a 403."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not request.user.is_administrator:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return checked


@admin.register(ImportUpload)
class WorkbookImportAdmin(admin.ModelAdmin):
    """The whole-workbook import page, for administrators: upload → preview per sheet (nothing
    written) → confirm (written, all or nothing); plus the blank template and the export.

    Registered on `ImportUpload`, the files waiting for their confirmation, so that the admin's
    home page links to it; those rows are never listed nor edited: this admin's only URLs are
    the page's views below, the upload form standing at the model's list URL.
    """

    def has_module_permission(self, request):
        # Asked for anonymous visitors too, by the admin's sign-in page.
        return request.user.is_authenticated and request.user.is_administrator

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        admin_view = self.admin_site.admin_view
        # Django checks the method before the role on the three single-method views; the upload
        # form refuses a non-administrator whatever the method.
        upload_view = require_http_methods(["GET", "POST"])(self.upload_view)
        return [
            path(
                "",
                admin_view(_administrators_only(upload_view)),
                name="roadmap_importupload_changelist",
            ),
            path(
                "<int:pk>/confirmer/",
                admin_view(require_POST(_administrators_only(self.confirm_view))),
                name="roadmap_importupload_confirm",
            ),
            path(
                "modele.xlsx",
                admin_view(require_GET(_administrators_only(self.template_view))),
                name="roadmap_importupload_template",
            ),
            path(
                "export.xlsx",
                admin_view(require_GET(_administrators_only(self.export_view))),
                name="roadmap_importupload_export",
            ),
        ]

    def _render(self, request, *, form, report=None, upload=None, status=200):
        context = {
            **self.admin_site.each_context(request),
            "title": _("Importer un classeur"),
            "opts": self.model._meta,
            "form": form,
            "report": report,
            "upload": upload,
            "sheets": SHEETS,
        }
        return TemplateResponse(request, "admin/roadmap/import.html", context, status=status)

    def upload_view(self, request):
        """The upload form; posting a file shows its preview, and keeps it if it can be imported."""
        if request.method == "GET":
            return self._render(request, form=WorkbookUploadForm())
        form = WorkbookUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form=form, status=400)
        uploaded, roadmap = form.cleaned_data["file"], form.cleaned_data["roadmap"]
        content = uploaded.read()
        report = import_file(
            content, uploaded.name, roadmap=roadmap, user=request.user, dry_run=True
        )
        upload = None
        if report.ok and report.has_changes:
            upload = keep_upload(
                content, filename=report.filename, user=request.user, roadmap=roadmap
            )
        return self._render(
            request,
            form=WorkbookUploadForm(initial={"roadmap": roadmap}),
            report=report,
            upload=upload,
            status=200 if report.ok else 400,
        )

    def confirm_view(self, request, pk):
        """Import the previewed file for real, all or nothing."""
        with transaction.atomic():
            # Locked, so that a double click on two app servers imports the file once.
            upload = (
                ImportUpload.objects.select_for_update()
                .filter(pk=pk, uploaded_by=request.user)
                .first()
            )
            if upload is None or request.POST.get("sha256") != upload.sha256:
                messages.error(
                    request,
                    _("Cet import a déjà été confirmé ou a expiré : déposez à nouveau le fichier."),
                )
                return redirect("admin:roadmap_importupload_changelist")
            report = import_file(
                bytes(upload.content), upload.filename, roadmap=upload.roadmap, user=request.user
            )
            if report.committed:
                upload.delete()
        if not report.committed:
            # The roadmap changed since the preview in a way that makes the file invalid.
            return self._render(request, form=WorkbookUploadForm(), report=report, status=409)
        messages.success(
            request,
            " ".join(
                [_("Import du fichier « %(name)s » terminé.") % {"name": report.filename}]
                + [sheet.summary for sheet in report.sheets]
            ),
        )
        return redirect("admin:roadmap_importupload_changelist")

    def _roadmap(self, request) -> Roadmap:
        slug = request.GET.get("feuille_de_route")
        roadmap = Roadmap.objects.filter(slug=slug).first() if slug else Roadmap.objects.current()
        if roadmap is None:
            raise Http404(_("Feuille de route introuvable."))
        return roadmap

    def template_view(self, request):
        """The blank workbook, with one example row per sheet and the allowed values."""
        content = template_workbook(self._roadmap(request))
        return _attachment(content, "modele-feuille-de-route.xlsx")

    def export_view(self, request):
        """The whole roadmap as a workbook in the import format."""
        roadmap = self._roadmap(request)
        filename = f"feuille-de-route-{roadmap.slug}-{timezone.localdate():%Y-%m-%d}.xlsx"
        return _attachment(export_workbook(roadmap), filename)
