"""What the no-JS thread pages and their forms share: the services, the thread a path names, the
cookies of a reader's own comments and their language."""

from __future__ import annotations

from starlette.requests import Request

from rejoinder.comments.reader import ReaderService
from rejoinder.comments.records import ThreadRef
from rejoinder.comments.sanitize import BadIdentifier, validate_thread_key
from rejoinder.comments.service import CommentService
from rejoinder.core.inputs import parse_id
from rejoinder.core.records.comments import Sort
from rejoinder.web.assets import HERE, build_embed_js, make_asset
from rejoinder.web.cache import PageCache
from rejoinder.web.clientip import ClientAddress
from rejoinder.web.i18n import pick_language
from rejoinder.web.params import path_id
from rejoinder.web.security import origin_of

OWN_COOKIE = "rejoinder_own"
OWN_COOKIE_MAX = 30  # owner tokens kept in the cookie


def parse_site_id(site: str) -> str:
    if parse_id(site) is None:
        raise BadIdentifier("Invalid site id: use the site's number.")
    return site


def sort_of(request: Request) -> Sort:
    raw = request.query_params.get("sort", "")
    try:
        return Sort(raw) if raw else Sort.OLDEST
    except ValueError:
        raise BadIdentifier("Sort by oldest, newest or top.") from None


def owned_tokens(request: Request) -> list[str]:
    raw = request.cookies.get(OWN_COOKIE, "")
    return [t for t in raw.split("|") if t][:OWN_COOKIE_MAX]


def lang_of(request: Request) -> str:
    return pick_language(
        request.query_params.get("lang"), request.headers.get("accept-language", "")
    )


def lang_query(lang: str) -> str:
    return "" if lang == "en" else "lang=" + lang


def comment_id_of(request: Request) -> int:
    return path_id(request, "comment_id", "comment")


class PageBase:
    """The services every page runs on; ``pages.Pages`` adds the pages."""

    def __init__(
        self,
        service: CommentService,
        reader: ReaderService,
        addresses: ClientAddress,
        public_url: str,
        demo_site: str,
    ):
        self.service = service
        self.reader = reader
        self.addresses = addresses
        self.public_origin = origin_of(public_url) or ""
        self.commenter_age_s = service.config.commenter_days * 24 * 3600
        self.demo_site = demo_site
        self.cache = PageCache()
        self.embed = build_embed_js()
        self.css = make_asset(
            (HERE / "static" / "comments.css").read_bytes(), "text/css; charset=utf-8"
        )

    def _ref(self, request: Request) -> ThreadRef:
        site = parse_site_id(request.path_params["site"])
        return ThreadRef(site, validate_thread_key(request.path_params["thread"]))

    def _https(self, request: Request) -> bool:
        """Behind a TLS proxy the request's own scheme is http: ``public_url`` says https."""
        return request.url.scheme == "https" or self.public_origin.startswith("https://")
