"""Whose site a URL is, for reputation: a domain, or a site or account on a shared platform."""

from __future__ import annotations

import pytest

from rejoinder.spam.learning.reputation import site_owner


@pytest.mark.parametrize(
    ("url", "owner"),
    [
        ("http://kitchen-remodeling-boston.com/", "kitchen-remodeling-boston.com"),
        ("https://www.example.co.uk/about", "example.co.uk"),
        ("example.org/~maria", "example.org"),
        ("http://203.0.113.9/offer", "203.0.113.9"),
        ("https://jane.blogspot.com/", "jane.blogspot.com"),  # the Public Suffix List's split
        ("https://jane.wordpress.com/2020/05/post/", "jane.wordpress.com"),
        ("https://www.tumblr.com/", "tumblr.com"),  # the platform's own pages
        ("https://github.com/Jane/project/issues/3", "github.com/jane"),
        ("https://www.linkedin.com/in/jane-doe/", "linkedin.com/jane-doe"),
        ("https://www.youtube.com/@janecooks", "youtube.com/@janecooks"),
        ("https://www.youtube.com/channel/UCabc", "youtube.com/ucabc"),
        ("https://x.com/jane/status/1", "x.com/jane"),
        ("https://t.me/s/deals_channel", "t.me/deals_channel"),
        ("https://medium.com/@jane/a-post", "medium.com/@jane"),
        ("https://www.youtube.com/watch?v=abc", ""),  # a video belongs to no account here
        ("https://www.facebook.com/sharer.php?u=x", ""),
        ("https://github.com/", ""),
        ("//t.me/deals", "t.me/deals"),  # scheme-relative, as url_host reads it
        ("http://github.com@evil.example/x", "evil.example"),  # the host, not the user part
        ("https://github.com/" + "a" * 5000, "github.com/" + "a" * 100),
        ("http://[broken", ""),
        ("", ""),
    ],
)
def test_site_owner(url: str, owner: str) -> None:
    assert site_owner(url) == owner
