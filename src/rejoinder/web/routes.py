"""The URL table, on one screen."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from rejoinder.web.admin import AdminPages
from rejoinder.web.admin_owner import OwnerPages
from rejoinder.web.admin_team import TeamPages
from rejoinder.web.akismet import AkismetEndpoints
from rejoinder.web.favicon import favicon
from rejoinder.web.feeds import Feeds
from rejoinder.web.health import healthz
from rejoinder.web.link_pages import LinkPages
from rejoinder.web.metrics import metrics_endpoint
from rejoinder.web.notify_pages import NotifyPages
from rejoinder.web.pages import Pages
from rejoinder.web.privacy import PrivacyPages
from rejoinder.web.verdicts import VerdictEndpoints

GET, POST = "GET", "POST"


def add_routes(
    app: FastAPI,
    akismet: AkismetEndpoints,
    routers: list[APIRouter],
    pages: Pages,
    feeds: Feeds,
    privacy: PrivacyPages,
    verdicts: VerdictEndpoints,
    admin: AdminPages,
    notify: NotifyPages,
    owner: OwnerPages,
    links: LinkPages,
    team: TeamPages,
) -> None:
    plain = [
        # Akismet API (docs/akismet.md)
        ("/1.1/verify-key", akismet.verify_key, [POST, GET]),
        ("/1.1/comment-check", akismet.comment_check, [POST]),
        ("/1.1/submit-spam", akismet.submit_spam, [POST]),
        ("/1.1/submit-ham", akismet.submit_ham, [POST]),
        ("/1.2/usage-limit", akismet.usage_limit, [GET, POST]),
        ("/1.2/key-sites", akismet.key_sites, [GET, POST]),
        ("/1.1/test", akismet.test, [GET, POST]),
        ("/1.1/get-subscription", akismet.get_subscription, [POST, GET]),
        ("/1.1/get-stats", akismet.get_stats, [POST, GET]),
        ("/1.1/deactivate", akismet.deactivate, [POST]),
        # privacy notice, export and erase (docs/privacy.md)
        ("/privacy", privacy.notice, [GET]),
        ("/privacy/requests", privacy.ask, [POST]),
        ("/privacy/link/{token}", privacy.link, [GET]),
        ("/privacy/link/{token}/export.json", privacy.export, [GET]),
        ("/privacy/link/{token}/erase", privacy.erase, [POST]),
        # JSON API (docs/spam-engine.md)
        ("/api/v1/verdicts/{guid}", verdicts.verdict, [GET]),
        # operations
        ("/healthz", healthz, [GET]),
        ("/favicon.ico", favicon, [GET]),
        ("/metrics", metrics_endpoint, [GET]),
        # the comment platform (docs/comments.md); the JSON API is the router below
        ("/embed.js", pages.embed_js, [GET]),
        ("/static/comments.css", pages.comments_css, [GET]),
        ("/t/{site}/{thread}/fragment", pages.thread_fragment, [GET]),
        ("/t/{site}/{thread}/c/{comment_id}/edit", pages.edit_form, [GET]),
        ("/t/{site}/{thread}/c/{comment_id}/edit", pages.edit_submit, [POST]),
        ("/t/{site}/{thread}/c/{comment_id}/delete", pages.delete_confirm, [GET]),
        ("/t/{site}/{thread}/c/{comment_id}/delete", pages.delete_submit, [POST]),
        ("/t/{site}/{thread}/vote", pages.vote_submit, [POST]),
        ("/feed/{site}", feeds.site_feed, [GET]),
        ("/feed/{site}/{thread}", feeds.thread_feed, [GET]),
        ("/t/{site}/{thread:path}", pages.thread_page, [GET]),  # :path so bad ids get 400
        ("/t/{site}/{thread:path}", pages.post_comment, [POST]),
        ("/demo/", pages.demo, [GET]),
        # moderation (docs/moderation.md); its JSON API is a router below
        ("/admin", admin.home, [GET]),
        ("/admin/", admin.home, [GET]),
        ("/admin/login", admin.login_form, [GET]),
        ("/admin/login", admin.login, [POST]),
        ("/admin/logout", admin.logout, [POST]),
        ("/admin/queue/{queue}", admin.queue, [GET]),
        ("/admin/act", admin.act, [POST]),
        ("/admin/c/{comment_id}", admin.comment, [GET]),
        ("/admin/c/{comment_id}/edit", admin.edit, [POST]),
        ("/admin/bans", admin.bans_page, [GET]),
        ("/admin/bans", admin.ban, [POST]),
        ("/admin/bans/{ban_id}/delete", admin.unban, [POST]),
        ("/admin/sites/{site_id}/policy", admin.policy_page, [GET]),
        ("/admin/sites/{site_id}/policy", admin.policy_save, [POST]),
        ("/admin/log", admin.log_page, [GET]),
        ("/admin/sites", owner.sites_page, [GET]),
        ("/admin/sites/{site_id}/stats", owner.stats_page, [GET]),
        ("/admin/team", team.team_page, [GET]),
        ("/admin/team/roles", team.grant, [POST]),
        ("/admin/team/roles/delete", team.revoke, [POST]),
        ("/admin/team/webhooks", team.add_hook, [POST]),
        ("/admin/team/webhooks/{hook_id}/delete", team.remove_hook, [POST]),
        ("/static/admin.css", admin.css, [GET]),
        ("/static/admin.js", admin.js, [GET]),
        # notifications: one-click unsubscribe from reply emails
        ("/notify/unsubscribe/{token}", notify.unsubscribe_form, [GET]),
        ("/notify/unsubscribe/{token}", notify.unsubscribe, [POST]),
        # one-click moderation links from the daily digest (docs/moderation.md)
        ("/notify/act/{token}", links.form, [GET]),
        ("/notify/act/{token}", links.act, [POST]),
    ]
    for path, endpoint, methods in plain:
        app.add_route(path, endpoint, methods=methods, include_in_schema=False)
    for router in routers:
        app.include_router(router)
