"""`make bench` (`python bench/run.py`): the public pages' speed beside a bare Django view.

Modules: `common` (logging, commands), `server` (gunicorn under load: workers, idleness, memory),
`load` (wrk), `render` (in-process query counts and render times), `imports` (the workbook
import against a bare `bulk_create`), `report` (the markdown of docs/benchmarks.md), `sizes` (one
size measured end to end), `run` (the entry point and its options). The throwaway PostgreSQL
cluster and gunicorn's start and stop are shared with the tests: tests/support/servers.py.
"""
