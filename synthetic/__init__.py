"""Synthetic roadmaps of any size, for benchmarks and tests (`manage.py generate_roadmap`).

A plain package, not a Django app: nothing of it runs in a process serving requests.

A generated roadmap has the shape of a real one: axes; actions with a lead (or « Pilote à
désigner ») and partners among real-looking organisations, a declared status reached through
dated changes; milestones, some done (on time or late), some overdue, some rescheduled;
indicators of the three kinds with baselines, targets and dates; monthly measurements over
years, some series stopped months ago; dated progress notes signed by generated task-force
members; and the django-simple-history rows that all of this would have left behind, dated
when it happened, so that the history, the journal and « no update for 90 days » look real.

Everything is drawn from one `random.Random(seed)` and dated from a reference date (today by
default): the same seed and date give the same roadmap, field for field. Nothing it writes can
be mistaken for real data: generated usernames start with `synthetique-`, measurement sources
with « Données synthétiques ». `real_data()` uses these marks to refuse a database that holds
anything else (measurements, progress notes, users other than the demo accounts).

Speed: rows are written in bulk with their own timestamps, history rows too (`synthetic.bulk`).
The benchmark's large size builds in seconds.

Modules: `sizes` (Sizes, LARGE, Report), `marks` (the marks, real_data), `words` (the French
vocabulary), `draws` (the seeded draws and the calendar), `bulk` (fast inserts and history
rows), `people`, `actions`, `milestones`, `indicators` (each part), `generator` (`generate`).
"""

from .generator import generate
from .marks import SYNTHETIC_SOURCE, SYNTHETIC_USER_PREFIX, real_data
from .sizes import LARGE, Report, Sizes

__all__ = [
    "LARGE",
    "SYNTHETIC_SOURCE",
    "SYNTHETIC_USER_PREFIX",
    "Report",
    "Sizes",
    "generate",
    "real_data",
]
