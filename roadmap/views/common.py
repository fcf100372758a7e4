"""What every page view shares: the context of the page frame, paging, the current roadmap.

Every page has the roadmap, the axes of the main navigation (`nav_axes`, read in one place,
`roadmap.queries.nav_axes`) and a breadcrumb (`breadcrumb_data`); `page_context` puts them
together, and `render_page` renders a template in it. Lists are shown a page at a time
(`page_of`), so that no page grows with the roadmap.
"""

from __future__ import annotations

from django.core.paginator import InvalidPage, Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from roadmap.models import Axis, Roadmap
from roadmap.queries import nav_axes


def page_context(
    roadmap: Roadmap | None,
    title: str,
    *,
    axes: list[Axis] | None = None,
    links: list[dict] | None = None,
    **more,
) -> dict:
    """The context of a page titled `title`: its roadmap, the navigation and the breadcrumb.

    `axes` are the roadmap's axes when the view has already read them (it needs them too);
    `links` are the breadcrumb's steps between the home page and this one.
    """
    breadcrumb = {"current": title} if links is None else {"links": links, "current": title}
    return {
        "roadmap": roadmap,
        "nav_axes": nav_axes(roadmap) if axes is None else axes,
        "breadcrumb_data": breadcrumb,
        **more,
    }


def render_page(
    request: HttpRequest, template: str, roadmap: Roadmap | None, title: str, *, status=200, **more
) -> HttpResponse:
    """`template` rendered in the page frame of `page_context`."""
    return render(request, template, page_context(roadmap, title, **more), status=status)


def page_of(request: HttpRequest, items, per_page: int, not_found: str) -> Page:
    """The page of `items` that `?page=` asks for (the first by default), with the numbers
    that the DSFR pagination shows; a page that does not exist is not found."""
    paginator = Paginator(items, per_page)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except InvalidPage as error:
        raise Http404(not_found) from error
    page.pages_list = list(paginator.get_elided_page_range(page.number))
    return page


def current_roadmap_or_404() -> Roadmap:
    roadmap = Roadmap.objects.current()
    if roadmap is None:
        raise Http404(_("Aucune feuille de route n'est chargée."))
    return roadmap


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    # The same URL answers a page or a fragment: caches must tell them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response
