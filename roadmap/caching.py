"""The public cache: pages and open-data files kept until the data they show changes.

Readers far outnumber writers, so what anonymous readers get is rendered once and then served
from Django's cache (shared by every app server in production: the database cache, or Redis
when `REDIS_URL` is set; local memory for the one-command start).

- **Never stale.** Every cached copy is keyed by the data's version (`DataVersion`, one row),
  and every write changes that version *in the writer's transaction*: signals around each save
  or delete of the public models, and `writing()` for the app's own write paths (a lone save
  in autocommit changes it right after its own commit). Readers see the
  new version exactly when they see the new data, on every server, whatever the cache backend.
  The key also holds today's date (lateness and trajectories move at midnight), the language and
  the address with only the query parameters the view reads (`params`).
- **Only real writes.** A `writing()` block that writes no row (a conflict, the same value saved
  again, an import with nothing new) leaves the version, and so every cached copy, alone: the
  version is changed at the end of the block, and only when a statement inside it wrote at least
  one row (an INSERT, UPDATE or DELETE, bulk ones included, seen on the connection), a signal of
  a public model fired, or `changed()` said so.
- **Private writes.** What readers cannot see (a member's proposal awaiting review, a
  reviewer's return) is written in `privately()`, which leaves the version alone: the cached
  copies stay good. A publication is a public write.
- **One lock order.** The version row is locked first by every write, before the rows it
  changes (`writing()` locks it before the edit views' `select_for_update`, and signals fire
  before the row's own UPDATE), so two writers can wait for one another but never deadlock.
- **Per-reader parts.** A page holds the reader's CSP nonce and CSRF token: the cached copy
  keeps the ones it was rendered with, and each reader's own are put in their place.
- **Two levels.** A copy never changes under its key, so each process also keeps the latest
  small ones in its own memory, in front of the shared cache: a hit then costs one query.
- **Conditional answers.** `ETag` (from the key) and `Last-Modified` (the last write, or
  midnight): a browser that already has the page gets a 304 without a render or a cache read.
- **Bounded.** Each level holds a bounded number of copies (settings.CACHES, `MAX_ENTRIES`),
  and a copy larger than `SHARED_MAX` is served but not kept: docs/contract.md, « Cache et
  en-têtes ».
- **Saved copies.** The last copy of each page and file is also kept outside the database (the
  `saved` cache, files on the server's disk): when the database cannot be reached, an anonymous
  reader gets it, dated by a notice (`saved_copy`), rather than the 503 page everyone else gets
  (roadmap.site.ops, docs/contract.md « Base de données injoignable »).

Signed-in users are never served from the cache (their pages hold their edit controls), and
get `Cache-Control: private`.
"""

from __future__ import annotations

import contextvars
import datetime
import hashlib
import logging
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, QueryDict
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from roadmap.site.ops import DATABASE_UNAVAILABLE

logger = logging.getLogger(__name__)

# How long a cached copy lives at most. Copies of an older version are never read again; the
# timeout only bounds how long they take up room.
TIMEOUT = 24 * 3600
# The largest copy also kept in each process's memory: pages, not the large open-data files.
LOCAL_MAX = 1024 * 1024
# The largest copy kept in the shared cache (and as a saved copy): with MAX_ENTRIES, what bounds
# the cache's size. A larger answer is rendered each time (none is near it: docs/contract.md).
SHARED_MAX = 8 * 1024 * 1024
# How long a saved copy (served while the database is unreachable) is kept after its render.
SAVED_TIMEOUT = 30 * 24 * 3600
# The request headers that change what a page answers (django-htmx reads them).
HTMX_HEADERS = ("HX-Request", "HX-Target", "HX-History-Restore-Request")
# The view's own headers kept with the cached copy (the middleware adds the others each time).
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Access-Control-Allow-Origin", "Vary")


# A statement that writes rows (SQLite's REPLACE too); the version's own row is not data.
_WRITE_STATEMENT = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


class _Write:
    """The `writing()` block in progress: whether it wrote anything the public pages show."""

    changed = False

    def observe(self, execute, sql, params, many, context):
        """Every statement of the block, on its way to the database: one that wrote at least
        a row marks the block changed, whatever wrote it (a save, `bulk_create`, `update()`,
        raw SQL through the ORM's connection), so no write is missed for want of a signal."""
        result = execute(sql, params, many, context)
        if self.changed or not isinstance(sql, str) or "roadmap_dataversion" in sql:
            return result
        found = _WRITE_STATEMENT.match(sql)
        # An UPDATE or DELETE that matched no row wrote nothing. An INSERT always writes (and
        # SQLite tells its row count only once a RETURNING is read, so it is not asked).
        if found and (found.group(1).upper() == "INSERT" or context["cursor"].rowcount != 0):
            self.changed = True
        return result


# Set inside `writing()`: the saves inside mark it changed rather than change the version.
_writing: contextvars.ContextVar[_Write | None] = contextvars.ContextVar(
    "roadmap_writing", default=None
)


# --- The version


def current_version() -> tuple[str, datetime.datetime]:
    """The data's version token and when it last changed (one query)."""
    from roadmap.models import DataVersion

    row = DataVersion.objects.filter(pk=1).values_list("token", "changed_at").first()
    if row is None:
        # Only after a test flushed the tables: nothing was written since, by definition.
        return "0", datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    return row


def bump() -> None:
    """Give the data a new version: every cached page and file is stale from now on."""
    from roadmap.models import DataVersion

    values = {"token": uuid.uuid4().hex, "changed_at": timezone.now()}
    if not DataVersion.objects.filter(pk=1).update(**values):
        DataVersion.objects.update_or_create(pk=1, defaults=values)


def _lock_version() -> None:
    from roadmap.models import DataVersion

    # SQLite has no row locks: its IMMEDIATE transactions (settings) take the write lock first.
    list(DataVersion.objects.select_for_update().filter(pk=1).values_list("pk"))


@contextmanager
def writing() -> Iterator[None]:
    """A transaction that writes public data: the version row is locked first, and changed at
    the end only if a row was written inside (a conflict or an unchanged save writes nothing,
    and leaves every cached copy valid).

    The saves inside do not change it one by one; nested blocks are part of the outer one.
    """
    with transaction.atomic():
        if _writing.get() is not None:
            yield
            return
        _lock_version()
        write = _Write()
        reset = _writing.set(write)
        try:
            with transaction.get_connection().execute_wrapper(write.observe):
                yield
        finally:
            _writing.reset(reset)
        # Reached only when the block ended without an exception (else all is rolled back).
        if write.changed:
            bump()


def changed() -> None:
    """Say that public data was written where `writing()` cannot see it (another connection,
    a file the pages read): inside `writing()`, the version changes at its end; outside, now."""
    write = _writing.get()
    if write is None:
        bump()
    else:
        write.changed = True


@contextmanager
def privately() -> Iterator[None]:
    """A transaction that writes nothing readers see: the version is left alone.

    A member's proposal, a reviewer's return and a correction awaiting review change no public
    page or file (docs/domain.md « Relecture »), so every cached copy stays good; the saves
    inside do not change the version either. Only the rows written are locked: no lock on the
    version row, so the one lock order of `writing()` still holds.
    """
    with transaction.atomic():
        if _writing.get() is not None:
            # Already inside a write: that one decides whether the version changes.
            yield
            return
        # A block of its own whose writes are never told: the version is left alone.
        reset = _writing.set(_Write())
        try:
            yield
        finally:
            _writing.reset(reset)


def _bump_on_write(sender, instance=None, *, signal=None, **kwargs) -> None:
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        # Signing in writes the user's last login, which no public page shows.
        return
    _bump_around_write(before=signal in (pre_save, pre_delete))


def _bump_m2m(sender, action: str, **kwargs) -> None:
    if action.startswith(("pre_", "post_")):
        _bump_around_write(before=action.startswith("pre_"))


def _bump_around_write(*, before: bool) -> None:
    """Change the version before a write in a transaction, after it in autocommit.

    In a transaction, before: the version row is locked before the written one and both are
    seen together at commit. Outside one (autocommit), after: each statement commits on its
    own, and a version changed first would let a reader keep the old page under the new one.
    """
    write = _writing.get()
    if write is not None:
        write.changed = True
    elif before == transaction.get_connection().in_atomic_block:
        bump()


def connect_signals() -> None:
    """Change the version with any save or delete of what the public pages show."""
    from django.apps import apps

    from accounts.models import Organisation, User
    from roadmap.models import DataVersion, ImportUpload

    private = {DataVersion, ImportUpload}
    models = [
        model
        for model in apps.get_app_config("roadmap").get_models()
        if model not in private and not model.__name__.startswith("Historical")
    ] + [Organisation, User]
    for model in models:
        uid = f"roadmap-version-{model._meta.label_lower}"
        for signal in (pre_save, post_save, pre_delete, post_delete):
            signal.connect(_bump_on_write, sender=model, dispatch_uid=f"{uid}-{id(signal)}")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _bump_m2m, sender=field.remote_field.through, dispatch_uid=f"roadmap-m2m-{field}"
            )


# --- The cached views


def _cacheable_request(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        # A message waiting for this reader (after signing out) belongs in their page only.
        and not len(messages.get_messages(request))
    )


def _only_params(request: HttpRequest, params: tuple[str, ...]) -> None:
    """Keep only the query parameters the view reads, in one order: `/?x=1` is `/`, and
    `?statut=a&axe=2` is `?axe=2&statut=a`, one cached copy each (and the page's own links,
    e.g. the sign-in link's `next`, name the same address)."""
    kept = QueryDict(mutable=True)
    for name in params:
        values = request.GET.getlist(name)
        if values:
            kept.setlist(name, values)
    kept._mutable = False
    request.GET = kept
    request.META["QUERY_STRING"] = kept.urlencode()


def _address(request: HttpRequest) -> list[str]:
    return [getattr(request, "LANGUAGE_CODE", ""), request.build_absolute_uri()]


def _key(request: HttpRequest, token: str) -> str:
    parts = [
        token,
        timezone.localdate().isoformat(),
        *_address(request),
        *(request.headers.get(name, "") for name in HTMX_HEADERS),
    ]
    return "public:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _last_modified(changed_at: datetime.datetime) -> float:
    # Lateness and trajectories change at midnight, with no write: a copy from yesterday is old.
    midnight = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time.min)
    )
    return max(changed_at, midnight).timestamp()


def _not_modified(request: HttpRequest, etag: str, last_modified: float) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        # Weak comparison (RFC 9110 §13.1.2): our tags are weak, browsers send them back as is.
        tags = {tag.removeprefix("W/") for tag in parse_etags(if_none_match)}
        return "*" in tags or etag.removeprefix("W/") in tags
    since = request.headers.get("If-Modified-Since")
    if since is None:
        return False
    parsed = parse_http_date_safe(since)
    return parsed is not None and int(last_modified) <= parsed


def _local():
    """This process's own memory, in front of the shared cache (see settings.CACHES)."""
    return caches["local"] if "local" in settings.CACHES else None


def _cached(key: str) -> tuple[dict | None, bool]:
    """The copy under `key`, and whether it came from the shared cache into this process."""
    local = _local()
    frozen = local.get(key) if local is not None else None
    if frozen is not None:
        return frozen, False
    frozen = cache.get(key)
    if frozen is not None and local is not None and len(frozen["content"]) <= LOCAL_MAX:
        local.set(key, frozen, TIMEOUT)
    return frozen, frozen is not None and local is not None


def _keep(key: str, frozen: dict) -> None:
    if len(frozen["content"]) > SHARED_MAX:
        return
    cache.set(key, frozen, TIMEOUT)
    local = _local()
    if local is not None and len(frozen["content"]) <= LOCAL_MAX:
        local.set(key, frozen, TIMEOUT)


def _freeze(request: HttpRequest, response: HttpResponse) -> dict | None:
    """What is kept of a fresh answer, or None when it must not be shared."""
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or "Cache-Control" in response
    ):
        return None
    html = response.get("Content-Type", "").startswith("text/html")
    return {
        "content": response.content,
        "headers": {name: response[name] for name in KEPT_HEADERS if name in response},
        # The reader's own values rendered in the page, to be swapped for the next reader's.
        "nonce": getattr(request, "_csp_nonce", None) if html else None,
        "csrf": getattr(request, "_page_csrf_token", None) if html else None,
    }


def _thaw(request: HttpRequest, frozen: dict) -> HttpResponse:
    content = frozen["content"]
    if frozen["nonce"]:
        content = content.replace(frozen["nonce"].encode(), str(request.csp_nonce).encode())
    if frozen["csrf"] and frozen["csrf"].encode() in content:
        content = content.replace(frozen["csrf"].encode(), get_token(request).encode())
    response = HttpResponse(content)
    for name, value in frozen["headers"].items():
        response[name] = value
    return response


def _validators(response: HttpResponse, etag: str, last_modified: float) -> HttpResponse:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    # Stored, but checked with the server every time: a reader never sees an old copy.
    patch_cache_control(response, no_cache=True)
    return response


# --- The saved copies, for when the database cannot be reached


def _saved_store():
    return caches["saved"] if "saved" in settings.CACHES else None


def _may_get_saved_copy(request: HttpRequest) -> bool:
    """An anonymous reader's full page: told without the database (no session cookie, so no
    session or user to read), and never an HTMX fragment (it would have no room for the
    notice that dates it)."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "HX-Request" not in request.headers
    )


def _saved_key(request: HttpRequest) -> str:
    # Without the version nor the date: the last copy of the address, whatever its data.
    return "saved:" + hashlib.sha256("\n".join(_address(request)).encode()).hexdigest()


def _save_copy(request: HttpRequest, frozen: dict) -> None:
    store = _saved_store()
    if store is None or not _may_get_saved_copy(request) or len(frozen["content"]) > SHARED_MAX:
        return
    try:
        store.set(_saved_key(request), {**frozen, "saved_at": timezone.now()}, SAVED_TIMEOUT)
    except OSError:
        # A full or read-only disk costs the saved copy, never the reader's page.
        logger.warning("saved copy not written", exc_info=True)


_MAIN = re.compile(rb"<main\b[^>]*>")


def saved_copy(request: HttpRequest) -> HttpResponse | None:
    """The last copy of this page kept for anonymous readers, dated, or None (none was kept,
    or this request may not get one)."""
    store = _saved_store()
    if store is None or not _may_get_saved_copy(request):
        return None
    try:
        saved = store.get(_saved_key(request))
    except OSError:
        logger.warning("saved copy not read", exc_info=True)
        return None
    if saved is None:
        return None
    response = _thaw(request, saved)
    saved_at = saved["saved_at"]
    if response.get("Content-Type", "").startswith("text/html"):
        notice = render_to_string(
            "partials/saved_copy_notice.html", {"saved_at": timezone.localtime(saved_at)}
        ).encode()
        found = _MAIN.search(response.content)
        if found:
            end = found.end()
            response.content = response.content[:end] + notice + response.content[end:]
    # Not to be kept by the browser: the page is served again fresh once the database is back.
    patch_cache_control(response, no_store=True)
    response["Last-Modified"] = http_date(saved_at.timestamp())
    response["Age"] = str(max(0, int((timezone.now() - saved_at).total_seconds())))
    return response


def cached_for_readers(
    view: Callable[..., HttpResponse] | None = None, *, params: Iterable[str] = ()
):
    """Serve `view` to anonymous readers from the cache, with conditional answers.

    `params`: the query parameters the view reads; the others are dropped before the view
    and the cache see the request (they neither make a copy of their own nor bypass the cache).
    Used bare (`@cached_for_readers`) for a view that reads none, or as
    `@cached_for_readers(params=("page",))`.
    """
    if view is None:
        return lambda view: cached_for_readers(view, params=params)
    used = tuple(params)

    @wraps(view)
    def cached_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return _serve(request, view, used, args, kwargs)
        except DATABASE_UNAVAILABLE:
            _only_params(request, used)
            response = saved_copy(request)
            if response is None:
                raise  # the 503 page (roadmap.site.middleware)
            logger.warning("database unreachable: saved copy served", extra={"path": request.path})
            return response

    return cached_view


def _serve(request: HttpRequest, view, used: tuple[str, ...], args, kwargs) -> HttpResponse:
    if not _cacheable_request(request):
        response = view(request, *args, **kwargs)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_cache=True)
        return response
    _only_params(request, used)
    token, changed_at = current_version()
    key = _key(request, token)
    etag = f'W/"{key[-32:]}"'
    last_modified = _last_modified(changed_at)
    if _not_modified(request, etag, last_modified):
        response = HttpResponseNotModified()
        patch_vary_headers(response, ("HX-Request",))
        # The browser keeps the page it has, with the nonce of its own CSP header: a new
        # header on the 304 would replace that one and block the page's scripts.
        response._csp_exempt = True
        return _validators(response, etag, last_modified)
    frozen, from_shared = _cached(key)
    if frozen is not None:
        response = _thaw(request, frozen)
        if from_shared:
            # Rendered by another server: this one keeps its own saved copy of it too.
            _save_copy(request, frozen)
    else:
        response = view(request, *args, **kwargs)
        frozen = _freeze(request, response)
        if frozen is None:
            return response
        _keep(key, frozen)
        _save_copy(request, frozen)
    return _validators(response, etag, last_modified)
