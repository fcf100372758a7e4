"""Admin for the roadmap: administrators correct data here and read each row's history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Action, Axis, Indicator, Measurement, Milestone, ProgressNote, Roadmap


class AxisInline(admin.TabularInline):
    model = Axis
    extra = 0


@admin.register(Roadmap)
class RoadmapAdmin(admin.ModelAdmin):
    list_display = ["title", "period", "source_date"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [AxisInline]


@admin.register(Axis)
class AxisAdmin(admin.ModelAdmin):
    list_display = ["number", "short_title", "roadmap"]
    list_filter = ["roadmap"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    fields = ["title", "due_date", "original_due_date", "done_on"]
    readonly_fields = ["original_due_date"]
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = ["code", "label", "unit", "kind", "target_value", "target_date"]
    extra = 0
    show_change_link = True


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "axis", "lead", "status", "updated_at"]
    list_filter = ["roadmap", "axis", "status", "lead"]
    list_select_related = ["axis", "lead"]
    search_fields = ["code", "title"]
    filter_horizontal = ["partners"]
    exclude = ["roadmap"]
    inlines = [MilestoneInline, IndicatorInline]


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = ["title", "action", "due_date", "original_due_date", "done_on"]
    list_filter = ["roadmap"]
    list_select_related = ["action"]
    search_fields = ["title", "action__code"]
    readonly_fields = ["original_due_date"]


class MeasurementInline(admin.TabularInline):
    model = Measurement
    fields = ["date", "value", "source", "comment"]
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "label", "action", "kind", "target_value", "target_date"]
    list_filter = ["roadmap", "kind"]
    list_select_related = ["action"]
    search_fields = ["code", "label"]
    exclude = ["roadmap"]
    inlines = [MeasurementInline]


@admin.register(Measurement)
class MeasurementAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "date", "value", "source", "recorded_by"]
    list_filter = ["indicator__roadmap"]
    list_select_related = ["indicator", "recorded_by"]
    search_fields = ["indicator__code", "source"]
    readonly_fields = ["recorded_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ProgressNote)
class ProgressNoteAdmin(admin.ModelAdmin):
    list_display = ["action", "written_on", "author"]
    list_select_related = ["action", "author"]
    search_fields = ["action__code", "done"]
