"""The random draws and the calendar of a synthetic roadmap: one `random.Random(seed)`, one date.

Every draw of a generation goes through the one `Draws.rng`, in a fixed order: the same seed and
reference date give the same roadmap, field for field.
"""

from __future__ import annotations

import calendar
import datetime
import random

from django.utils import timezone


class Draws:
    """The seeded random source, and moments drawn from it up to the day before `today`."""

    def __init__(self, seed: int, today: datetime.date):
        self.rng = random.Random(seed)  # noqa: S311 - reproducible draws, not secrets
        self.today = today
        # Nothing happens today or later: every event is at most yesterday.
        self.yesterday = today - datetime.timedelta(days=1)
        self.timezone = timezone.get_default_timezone()

    def moment(self, day: datetime.date) -> datetime.datetime:
        """A working-hours moment on `day`, in local time."""
        naive = datetime.datetime.combine(
            day, datetime.time(self.rng.randint(8, 18), self.rng.randint(0, 59))
        )
        return timezone.make_aware(naive, self.timezone)

    def day_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        if end <= start:
            return start
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))


def month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def months_before(day: datetime.date, count: int) -> datetime.date:
    """The last day of the month `count` months before the month of `day`."""
    index = day.year * 12 + day.month - 1 - count
    return month_end(index // 12, index % 12 + 1)


def months_between(start: datetime.date, end: datetime.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month
