"""The roadmap's data and the invariants that must hold whatever writes it.

Roadmap → Axis → Action → Milestone / Indicator → Measurement, plus dated progress notes.
Every change to actions, milestones, indicators and measurements is kept by
django-simple-history (who, when, old → new). Each of these rows also carries a `version`,
bumped on every save, so that an edit form can tell when someone saved in between.
Who may edit an action is decided here, once, by `Action.objects.editable_by(user)`; who may
review what a member proposes, beside it, by `reviewable_by(user)` (docs/domain.md « Relecture »).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation

from . import progress

DECIMAL = {"max_digits": 20, "decimal_places": 4}

# The change reason the seed loader writes in the history: its rows are no person's update, so
# « dernière mise à jour » leaves them out (docs/domain.md).
SEED_CHANGE = "load_roadmap"


class Status(models.TextChoices):
    """The status the task force declares for an action; empty until someone sets it."""

    NOT_STARTED = "not_started", _("Non démarrée")
    IN_PROGRESS = "in_progress", _("En cours")
    AT_RISK = "at_risk", _("À risque")
    LATE = "late", _("En retard")
    DONE = "done", _("Réalisée")
    ABANDONED = "abandoned", _("Abandonnée")


STATUS_UNSET_LABEL = _("Non renseigné")


class Kind(models.TextChoices):
    CUMULATIVE = progress.CUMULATIVE, _("Cumulatif")
    PER_PERIOD = progress.PER_PERIOD, _("Par période")
    LEVEL = progress.LEVEL, _("Niveau")


class Periodicity(models.TextChoices):
    """How a per-period indicator cuts time (docs/domain.md « Périodes »)."""

    ACADEMIC_YEAR = progress.ACADEMIC_YEAR, _("Année universitaire (septembre à août)")
    YEAR = progress.YEAR, _("Année civile")
    QUARTER = progress.QUARTER, _("Trimestre")
    MONTH = progress.MONTH, _("Mois")


# The longest span a per-period indicator may have: 50 years, or 600 months.
MAX_PERIOD_COUNT = 600


class Direction(models.TextChoices):
    HIGHER = progress.HIGHER, _("Plus haut est mieux")
    LOWER = progress.LOWER, _("Plus bas est mieux")


class VersionedModel(models.Model):
    """A row edited by people: a version for optimistic locking and timestamps."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Every save is a new version, so a form read at an older one can detect the change.
        if self.pk is not None and not self._state.adding:
            self.version = (self.version or 0) + 1
        super().save(*args, **kwargs)


def dates_in_order(
    first: str, later: str, *, strictly: bool, name: str, message
) -> models.CheckConstraint:
    """Two optional dates in order: `later` on or after `first` (after it, when `strictly`)."""
    after = f"{later}__gt" if strictly else f"{later}__gte"
    return models.CheckConstraint(
        condition=Q(**{f"{first}__isnull": True})
        | Q(**{f"{later}__isnull": True})
        | Q(**{after: F(first)}),
        name=name,
        violation_error_message=message,
    )


def interpretation_field() -> models.TextField:
    """The rule followed for a value the source does not state literally (docs/domain.md
    « Interprétations »): on the roadmap, its milestones, indicators and dated targets."""
    return models.TextField(
        _("interprétation"),
        blank=True,
        help_text=_(
            "La règle suivie quand une valeur n'est pas écrite telle quelle dans la source."
        ),
    )


class ReviewState(models.TextChoices):
    """Where a member's measurement or progress note stands on its way to the public
    (docs/domain.md « Relecture »): only `published` ones are shown to readers."""

    PROPOSED = "proposed", _("proposée")
    PUBLISHED = "published", _("publiée")
    RETURNED = "returned", _("à revoir")


# The states a signed-in editor's preview includes: what would be public once published.
PREVIEWED_STATES = (ReviewState.PUBLISHED, ReviewState.PROPOSED)


def may_review(user) -> bool:
    """Whether `user` reviews at all: an active administrator (no query)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "is_administrator", False)
    )


class ReviewedQuerySet(models.QuerySet):
    def published(self) -> ReviewedQuerySet:
        """What readers see: published rows only."""
        return self.filter(review_state=ReviewState.PUBLISHED)

    def visible(self, *, pending: bool = False) -> ReviewedQuerySet:
        """Published rows, and with `pending` those proposed too (an editor's preview)."""
        if pending:
            return self.filter(review_state__in=PREVIEWED_STATES)
        return self.published()

    def pending(self) -> ReviewedQuerySet:
        return self.filter(review_state=ReviewState.PROPOSED)

    def reviewable_by(self, user) -> ReviewedQuerySet:
        """The proposed rows `user` may publish or return: the one rule of who reviews.

        Administrators review; nobody reviews their own proposal. Beside
        `Action.objects.editable_by`, the rule of who edits.
        """
        if not may_review(user):
            return self.none()
        return self.pending().exclude(proposed_by_id=user.pk)


class Reviewed(models.Model):
    """A row a member proposes and a reviewer publishes or returns (docs/domain.md
    « Relecture »). Published by default: the seed, imports and administrators' own entries
    publish at once; the edit views set the state of a member's proposal."""

    review_state = models.CharField(
        _("état de relecture"),
        max_length=10,
        choices=ReviewState.choices,
        default=ReviewState.PUBLISHED,
        db_index=True,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposé le"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("relu par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("relu le"), null=True, blank=True)
    review_comment = models.TextField(_("commentaire de relecture"), blank=True)

    objects = ReviewedQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.review_state == ReviewState.PUBLISHED

    @property
    def is_proposed(self) -> bool:
        return self.review_state == ReviewState.PROPOSED

    @property
    def is_returned(self) -> bool:
        return self.review_state == ReviewState.RETURNED


class RoadmapQuerySet(models.QuerySet):
    def current(self) -> Roadmap | None:
        """The roadmap the public pages show: the most recent source document."""
        return self.order_by("-source_date", "-pk").first()


class Roadmap(models.Model):
    title = models.CharField(_("titre"), max_length=255)
    slug = models.SlugField(_("identifiant"), max_length=100, unique=True)
    period = models.CharField(_("période"), max_length=40, blank=True)
    source_title = models.CharField(_("document source"), max_length=255)
    source_date = models.DateField(_("date du document source"))
    description = models.TextField(_("présentation"), blank=True)
    interpretation = interpretation_field()
    demonstration = models.BooleanField(
        _("données de démonstration"),
        default=False,
        help_text=_(
            "Coché quand une année de travail fictive a été jouée sur cette feuille de route "
            "(seed_demo --scenario) : chaque page et chaque fichier le disent."
        ),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = RoadmapQuerySet.as_manager()

    class Meta:
        ordering = ["-source_date", "-pk"]
        verbose_name = _("feuille de route")
        verbose_name_plural = _("feuilles de route")

    def __str__(self) -> str:
        return self.title


class Axis(models.Model):
    roadmap = models.ForeignKey(
        Roadmap, verbose_name=_("feuille de route"), on_delete=models.CASCADE, related_name="axes"
    )
    number = models.PositiveSmallIntegerField(_("numéro"))
    short_title = models.CharField(_("titre court"), max_length=100)
    title = models.CharField(_("intitulé"), max_length=500)

    class Meta:
        ordering = ["roadmap", "number"]
        verbose_name = _("axe")
        verbose_name_plural = _("axes")
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "number"], name="axis_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="axis_number_positive"),
        ]

    def __str__(self) -> str:
        return f"Axe {self.number} – {self.short_title}"

    def get_absolute_url(self) -> str:
        return reverse("roadmap:axis", args=[self.number])


class ActionQuerySet(models.QuerySet):
    def editable_by(self, user) -> ActionQuerySet:
        """The actions `user` may update: the one rule of who edits what.

        An administrator edits every action; a task-force member edits the actions whose
        lead or partners include their organisation; anyone else edits nothing.
        """
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_administrator:
            return self
        if not user.is_member:
            return self.none()
        partnered = Action.partners.through.objects.filter(
            organisation_id=user.organisation_id
        ).values("action_id")
        return self.filter(Q(lead_id=user.organisation_id) | Q(pk__in=partnered))


class Action(VersionedModel):
    roadmap = models.ForeignKey(
        Roadmap,
        verbose_name=_("feuille de route"),
        on_delete=models.CASCADE,
        related_name="actions",
    )
    axis = models.ForeignKey(
        Axis, verbose_name=_("axe"), on_delete=models.PROTECT, related_name="actions"
    )
    code = models.CharField(_("code"), max_length=20, help_text=_("Par exemple « IA 2-1 »."))
    slug = models.SlugField(_("identifiant d'URL"), max_length=40)
    title = models.CharField(_("titre"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    objective = models.TextField(_("objectif"), blank=True)
    framework = models.TextField(_("cadre"), blank=True)
    lead = models.ForeignKey(
        Organisation,
        verbose_name=_("pilote"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_actions",
    )
    partners = models.ManyToManyField(
        Organisation,
        verbose_name=_("partenaires"),
        blank=True,
        related_name="partnered_actions",
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, blank=True, default=""
    )
    start_date = models.DateField(_("début"), null=True, blank=True)
    end_date = models.DateField(_("fin"), null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[partners])
    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["axis__number", "code"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "code"], name="action_unique_code"),
            models.UniqueConstraint(fields=["roadmap", "slug"], name="action_unique_slug"),
            models.CheckConstraint(
                condition=Q(status__in=["", *Status.values]), name="action_status_valid"
            ),
            dates_in_order(
                "start_date",
                "end_date",
                strictly=False,
                name="action_end_after_start",
                message=_("La date de fin précède la date de début."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs):
        # An action belongs to the roadmap of its axis; its slug follows its code.
        self.roadmap_id = self.axis.roadmap_id
        if not self.slug:
            self.slug = slugify(self.code)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("roadmap:action", args=[self.slug])

    @property
    def status_label(self) -> str:
        return status_name(self.status)


def status_name(value: str) -> str:
    """The name of a stored status (« En cours »), « Non renseigné » when unset."""
    return str(Status(value).label) if value else str(STATUS_UNSET_LABEL)


class Milestone(VersionedModel):
    """A dated step. Without an action it is a step of the roadmap as a whole."""

    roadmap = models.ForeignKey(
        Roadmap,
        verbose_name=_("feuille de route"),
        on_delete=models.CASCADE,
        related_name="milestones",
    )
    action = models.ForeignKey(
        Action,
        verbose_name=_("action"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="milestones",
    )
    title = models.CharField(_("jalon"), max_length=500)
    due_date = models.DateField(_("échéance"), null=True, blank=True)
    original_due_date = models.DateField(
        _("échéance initiale"),
        null=True,
        blank=True,
        help_text=_("L'échéance prévue à l'origine, gardée quand le jalon est replanifié."),
    )
    done_on = models.DateField(_("réalisé le"), null=True, blank=True)
    source = models.TextField(_("source"), blank=True)
    interpretation = interpretation_field()

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("jalon")
        verbose_name_plural = _("jalons")
        constraints = [
            models.UniqueConstraint(
                fields=["action", "title"],
                condition=Q(action__isnull=False),
                name="milestone_unique_title_per_action",
            ),
            models.UniqueConstraint(
                fields=["roadmap", "title"],
                condition=Q(action__isnull=True),
                name="milestone_unique_title_per_roadmap",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.action_id is not None:
            self.roadmap_id = self.action.roadmap_id
        # The first due date is kept, so that slippage stays visible after a reschedule.
        if self.original_due_date is None:
            self.original_due_date = self.due_date
        super().save(*args, **kwargs)

    def is_overdue(self, today) -> bool:
        return progress.is_overdue(self.due_date, self.done_on, today)

    @property
    def is_done(self) -> bool:
        return self.done_on is not None

    @property
    def slipped(self) -> bool:
        return bool(
            self.original_due_date and self.due_date and self.due_date != self.original_due_date
        )


class IndicatorQuerySet(ReviewedQuerySet):
    """An indicator is public once published, and stays public while a member's change to its
    definition awaits review (`proposed_values`): `review_state` is that of its latest
    proposal, `is_public` whether readers see it at all."""

    def published(self) -> IndicatorQuerySet:
        """What readers see: the public indicators, with their published definition."""
        return self.filter(is_public=True)

    def visible(self, *, pending: bool = False) -> IndicatorQuerySet:
        """The public indicators, and with `pending` the new ones proposed too."""
        if pending:
            return self.filter(Q(is_public=True) | Q(review_state=ReviewState.PROPOSED))
        return self.published()


# The fields of an indicator's definition a member may propose to change (IndicatorForm's,
# but the code: files refer to it).
PROPOSED_FIELDS = (
    "label",
    "unit",
    "kind",
    "direction",
    "baseline_value",
    "baseline_date",
    "target_value",
    "target_date",
    "periodicity",
    "periods_from",
    "period_count",
    "summed_from",
    "source",
    "interpretation",
)


class Indicator(Reviewed, VersionedModel):
    """An indicator of an action. Reviewed as a whole (docs/domain.md « Relecture »): a member's
    new indicator is proposed and not `is_public` until published; a member's change to a public
    one is kept apart in `proposed_values` (the published definition staying live) until a
    reviewer publishes it, which applies it, or returns it."""

    roadmap = models.ForeignKey(
        Roadmap,
        verbose_name=_("feuille de route"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    action = models.ForeignKey(
        Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField(_("code"), max_length=40)
    label = models.CharField(_("indicateur"), max_length=500)
    unit = models.CharField(_("unité"), max_length=40)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    direction = models.CharField(
        _("sens"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    baseline_value = models.DecimalField(_("valeur initiale"), null=True, blank=True, **DECIMAL)
    baseline_date = models.DateField(_("date initiale"), null=True, blank=True)
    target_value = models.DecimalField(_("cible"), **DECIMAL)
    target_date = models.DateField(_("date cible"), null=True, blank=True)
    source = models.TextField(
        _("source"), blank=True, help_text=_("La phrase du document source qui fixe la cible.")
    )
    interpretation = interpretation_field()
    periodicity = models.CharField(
        _("périodicité"),
        max_length=20,
        choices=Periodicity.choices,
        blank=True,
        default="",
        help_text=_("Pour un indicateur par période : chaque période est tenue à sa cible."),
    )
    periods_from = models.DateField(
        _("première période"),
        null=True,
        blank=True,
        help_text=_("Une date de la première période (par exemple le 1er septembre 2024)."),
    )
    period_count = models.PositiveSmallIntegerField(
        _("nombre de périodes"),
        null=True,
        blank=True,
        help_text=_("Vide : les périodes continuent jusqu'à aujourd'hui."),
    )
    summed_from = models.ForeignKey(
        "self",
        verbose_name=_("somme de"),
        null=True,
        blank=True,
        # RESTRICT, not PROTECT: deleting the whole action (or roadmap) deletes both.
        on_delete=models.RESTRICT,
        related_name="sums",
        help_text=_(
            "Un indicateur cumulatif peut être la somme des périodes d'un indicateur par période "
            "de la même action, au lieu d'être mesuré à part."
        ),
    )
    retired_on = models.DateField(
        _("retiré le"),
        null=True,
        blank=True,
        help_text=_(
            "Un indicateur retiré n'est plus suivi ; il reste visible avec son historique."
        ),
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_public = models.BooleanField(
        _("public"),
        default=True,
        db_index=True,
        help_text=_("Publié : les lecteurs le voient. Un indicateur proposé ne l'est pas encore."),
    )
    # The definition a member proposes for a public indicator, field by field (only those
    # that change), as JSON text values; None when no change awaits.
    proposed_values = models.JSONField(
        _("modification proposée"), null=True, blank=True, editable=False
    )

    history = HistoricalRecords()
    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["action__code", "position", "code"]
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "code"], name="indicator_unique_code"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="indicator_kind_valid"),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="indicator_direction_valid"
            ),
            dates_in_order(
                "baseline_date",
                "target_date",
                strictly=True,
                name="indicator_target_after_baseline",
                message=_("La date cible doit suivre la date initiale."),
            ),
            models.CheckConstraint(
                condition=Q(periodicity__in=["", *Periodicity.values]),
                name="indicator_periodicity_valid",
            ),
            # A per-period indicator has a periodicity and a first period; no other kind has.
            models.CheckConstraint(
                condition=(
                    Q(kind=progress.PER_PERIOD, periods_from__isnull=False) & ~Q(periodicity="")
                )
                | (
                    ~Q(kind=progress.PER_PERIOD)
                    & Q(periodicity="", periods_from__isnull=True, period_count__isnull=True)
                ),
                name="indicator_periods_only_per_period",
                violation_error_message=_(
                    "Un indicateur par période a une périodicité et une première période ; "
                    "les autres types n'en ont pas."
                ),
            ),
            models.CheckConstraint(
                condition=Q(period_count__isnull=True)
                | Q(period_count__gte=1, period_count__lte=MAX_PERIOD_COUNT),
                name="indicator_period_count_range",
                violation_error_message=_("Le nombre de périodes va de 1 à 600."),
            ),
            models.CheckConstraint(
                condition=Q(summed_from__isnull=True) | Q(kind=progress.CUMULATIVE),
                name="indicator_sum_is_cumulative",
                violation_error_message=_(
                    "Seul un indicateur cumulatif peut être la somme d'un autre."
                ),
            ),
            # Published: public, no change awaiting. Proposed or returned: either a new
            # indicator (not public) or a change to a public one (its proposed values).
            models.CheckConstraint(
                condition=Q(review_state=ReviewState.PUBLISHED, is_public=True)
                & Q(proposed_values__isnull=True)
                | Q(is_public=False, proposed_values__isnull=True)
                & ~Q(review_state=ReviewState.PUBLISHED)
                | Q(is_public=True, proposed_values__isnull=False)
                & ~Q(review_state=ReviewState.PUBLISHED),
                name="indicator_review_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.label}"

    def save(self, *args, **kwargs):
        self.roadmap_id = self.action.roadmap_id
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        source = self.summed_from
        if source is not None and (
            source.kind != progress.PER_PERIOD
            or source.action_id != self.action_id
            or source.pk == self.pk
        ):
            raise ValidationError(
                {
                    "summed_from": _(
                        "Un indicateur ne peut être que la somme d'un indicateur par période "
                        "de la même action."
                    )
                }
            )

    @property
    def is_retired(self) -> bool:
        return self.retired_on is not None

    @property
    def is_new_proposal(self) -> bool:
        """A member's new indicator, not yet published (proposed or returned)."""
        return not self.is_public

    def proposed_change(self) -> dict:
        """The proposed definition as model values, by field (`summed_from` as an id)."""
        values = {}
        for name, text in (self.proposed_values or {}).items():
            field = self._meta.get_field(name)
            if field.is_relation:
                values[field.attname] = None if text is None else int(text)
            else:
                values[name] = field.to_python(text)
        return values

    def figures(self, today, measurements=None, sources=None) -> progress.IndicatorFigures:
        """Progress, trajectory and forecast, from `measurements` if already fetched.

        A sum (`summed_from`) adds up the periods of its source, whose measurements are
        `sources` when already fetched; its own measurements count for nothing.
        """
        if self.summed_from_id is not None:
            source = self.summed_from
            periods = source.figures(today, sources).periods
            points = progress.period_points(periods)
        else:
            if measurements is None:
                measurements = self.measurements.all()
            points = [progress.Point(m.date, m.value) for m in measurements]
        return progress.evaluate_indicator(**self.definition(), points=points, today=today)

    def definition(self) -> dict:
        """The indicator as `progress.evaluate_indicator` (and a chart) takes it; its dated
        targets come from the prefetched `targets`."""
        return {
            "kind": self.kind,
            "direction": self.direction,
            "baseline": self.baseline_value,
            "baseline_date": self.baseline_date,
            "target": self.target_value,
            "target_date": self.target_date,
            "targets": [progress.Target(t.on, t.value) for t in self.targets.all()],
            "periodicity": self.periodicity or None,
            "periods_from": self.periods_from,
            "period_count": self.period_count,
        }


class Target(VersionedModel):
    """A dated target of an indicator besides its final one: an intermediate step of the
    trajectory, or, for a per-period indicator, the own target of the period containing it."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicateur"), on_delete=models.CASCADE, related_name="targets"
    )
    on = models.DateField(_("date"))
    value = models.DecimalField(_("valeur"), **DECIMAL)
    source = models.TextField(_("source"), blank=True)
    interpretation = interpretation_field()

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "on"]
        verbose_name = _("cible")
        verbose_name_plural = _("cibles")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "on"], name="target_unique_date"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.on:%Y-%m-%d}: {self.value}"


class Measurement(Reviewed, VersionedModel):
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicateur"),
        on_delete=models.CASCADE,
        related_name="measurements",
    )
    date = models.DateField(_("date"))
    value = models.DecimalField(_("valeur"), **DECIMAL)
    source = models.CharField(_("source"), max_length=500)
    comment = models.TextField(_("commentaire"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisi par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "date"]
        verbose_name = _("mesure")
        verbose_name_plural = _("mesures")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "date"], name="measurement_unique_date"),
            models.CheckConstraint(
                condition=~Q(source=""),
                name="measurement_has_source",
                violation_error_message=_("La source de la mesure est obligatoire."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.date:%Y-%m-%d}: {self.value}"


class ProgressNote(Reviewed, VersionedModel):
    """A dated, signed narrative update on an action; versioned and kept in the history, as it
    goes through review (docs/domain.md « Relecture »)."""

    action = models.ForeignKey(
        Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.PROTECT,
        related_name="progress_notes",
    )
    written_on = models.DateField(_("date"))
    done = models.TextField(_("ce qui a été fait"))
    risks = models.TextField(_("risques"), blank=True)
    next_steps = models.TextField(_("prochaines étapes"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-written_on", "-created_at"]
        verbose_name = _("point d'avancement")
        verbose_name_plural = _("points d'avancement")
        indexes = [models.Index(fields=["action", "-written_on"])]

    def __str__(self) -> str:
        return f"{self.action.code} {self.written_on:%Y-%m-%d}"


class ImportUpload(models.Model):
    """A spreadsheet uploaded for import, kept between its preview and its confirmation.

    Kept in the database, not in memory or on a local disk, so that the confirmation may reach
    another app server than the preview. Rows older than a day are purged on each new upload.
    """

    roadmap = models.ForeignKey(
        Roadmap,
        verbose_name=_("feuille de route"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposé par"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("déposé le"), auto_now_add=True, db_index=True)
    filename = models.CharField(_("nom du fichier"), max_length=255)
    content = models.BinaryField(_("contenu"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import de classeur")
        verbose_name_plural = _("imports de classeurs")

    def __str__(self) -> str:
        return self.filename


class DataVersion(models.Model):
    """One row: a token that changes with every write to what the public pages show.

    The public cache (`roadmap.caching`) keys pages and files by it, so a write makes every
    cached copy unreachable at once, on every app server. It is a random token rather than a
    counter, so that a rolled-back transaction or a restored backup never brings back a token
    whose cached pages show other data. Written in the writer's own transaction: readers see
    the new token exactly when they see the new data.
    """

    token = models.CharField(_("jeton"), max_length=32)
    changed_at = models.DateTimeField(_("modifiées le"))

    class Meta:
        verbose_name = _("version des données")
        verbose_name_plural = _("versions des données")

    def __str__(self) -> str:
        return f"{self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"


class ReportState(models.TextChoices):
    """A council report is prepared, then published once and for good (docs/domain.md)."""

    IN_PREPARATION = "in_preparation", _("En préparation")
    PUBLISHED = "published", _("Publié")


class ReportQuerySet(models.QuerySet):
    def published(self) -> ReportQuerySet:
        """The published reports, the latest session first."""
        return self.filter(state=ReportState.PUBLISHED).order_by("-meeting_date", "-pk")

    def in_preparation(self, roadmap: Roadmap | None) -> Report | None:
        """The report of `roadmap` being prepared, if any (at most one at a time)."""
        if roadmap is None:
            return None
        return self.filter(roadmap=roadmap, state=ReportState.IN_PREPARATION).first()


class FrozenReport(ValidationError):
    """A published report's snapshot, title or dates were about to change."""


class Report(VersionedModel):
    """A report to a session of the Conseil du numérique en santé (docs/domain.md « Rapport »).

    Opened `in_preparation`: members mark their actions ready for the session. Published
    once: `snapshot` then holds the whole public roadmap of that moment as a JSON document,
    written once and never recomputed; every page and file of the report is drawn from it.
    """

    roadmap = models.ForeignKey(
        Roadmap,
        verbose_name=_("feuille de route"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    title = models.CharField(_("titre"), max_length=255)
    slug = models.SlugField(_("identifiant d'URL"), max_length=120, unique=True)
    meeting_date = models.DateField(_("date de la séance"))
    deadline = models.DateField(_("date limite des mises à jour"), null=True, blank=True)
    state = models.CharField(
        _("état"),
        max_length=20,
        choices=ReportState.choices,
        default=ReportState.IN_PREPARATION,
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ouvert par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("publié par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The frozen document, as text: served byte for byte as the report's JSON file.
    snapshot = models.TextField(_("instantané"), blank=True, editable=False)
    # The PDF, rendered from the snapshot once, right after publication (roadmap.report_pdf),
    # and kept: the same file ever after, never rendered in a request (minutes at the
    # benchmark's large size). Empty when it could not be rendered (`render_report_pdfs`).
    pdf = models.BinaryField(_("PDF"), blank=True, default=b"", editable=False)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-meeting_date", "-pk"]
        verbose_name = _("rapport au Conseil")
        verbose_name_plural = _("rapports au Conseil")
        constraints = [
            models.UniqueConstraint(
                fields=["roadmap"],
                condition=Q(state="in_preparation"),
                name="report_one_in_preparation",
            ),
            models.CheckConstraint(
                condition=Q(state="in_preparation", snapshot="", published_at=None)
                | (Q(state="published", published_at__isnull=False) & ~Q(snapshot="")),
                name="report_published_has_snapshot",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # A published report is frozen: nothing of it changes again (docs/domain.md).
        if self.pk is not None:
            stored = (
                Report.objects.filter(pk=self.pk, state=ReportState.PUBLISHED)
                .values("title", "slug", "meeting_date", "snapshot", "published_at")
                .first()
            )
            if stored is not None and any(
                getattr(self, name) != value for name, value in stored.items()
            ):
                raise FrozenReport(_("Un rapport publié ne change plus."))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("roadmap:report", args=[self.slug])

    @property
    def is_published(self) -> bool:
        return self.state == ReportState.PUBLISHED


class ActionReadiness(VersionedModel):
    """An action marked « à jour pour la séance » for a report in preparation, with the
    decisions its pilots ask of the council (docs/domain.md)."""

    report = models.ForeignKey(
        Report, verbose_name=_("rapport"), on_delete=models.CASCADE, related_name="readiness"
    )
    action = models.ForeignKey(
        Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="readiness"
    )
    decisions = models.TextField(
        _("décisions demandées au Conseil"),
        blank=True,
        help_text=_("Facultatif : ce que les pilotes demandent au Conseil de décider."),
    )
    ready_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marquée par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["report", "action"]
        verbose_name = _("action à jour pour la séance")
        verbose_name_plural = _("actions à jour pour la séance")
        constraints = [
            models.UniqueConstraint(fields=["report", "action"], name="readiness_unique_action")
        ]

    def __str__(self) -> str:
        return f"{self.report} – {self.action.code}"
