"""`make bench`: the public pages' speed, side by side with a bare Django view, at two sizes.

On a PostgreSQL cluster of its own (initdb in a temporary folder, a free loopback port, stopped
at the end whatever happens), this script migrates, loads the seed roadmap, and for each size
(the seed, then `generate_roadmap --large`):

- counts the SQL queries of each page and times one request alone, in-process (Django's test
  client, CaptureQueriesContext);
- serves the app with gunicorn on 127.0.0.1 (DEBUG=0, a random SECRET_KEY, the production
  static files storage after collectstatic into a temporary STATIC_ROOT) and drives each page
  with wrk: requests per second, median and 99th-percentile latency, and the ratio to the bare
  view (`/bench/bare`, routed when BENCH_ENDPOINTS=1) measured in the same run. Each page gets a
  fresh server, warmed up first, so that requests a slow page left queued do not slow the next;
- reads the peak memory of the gunicorn workers after each page (VmHWM in /proc/<pid>/status).

Then it imports a 10 000-row measurements workbook (preview, then confirm, through
`roadmap.spreadsheets.import_file`) and times it against a bare `bulk_create` of the same rows.
The table is printed and written to docs/benchmarks.md, with the date, the machine, the commit
and the command. A page that does not answer 200 is skipped with a note, not an error.

Run as root (as CI and `make` do here): PostgreSQL refuses root, so the cluster runs as
`postgres` through runuser; wrk is installed from Debian when missing.

This file is the entry point (`python bench/run.py --help` for the options); the steps are in the
`bench` package (bench/__init__.py lists its modules).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    # Run as a script: the checkout's root on the path, for `bench`, `tests.support` and the app.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.main import main

    main()
