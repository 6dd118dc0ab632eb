import re
from collections import Counter

import pytest

from rejoinder.errors import Conflict, NotFound, ValidationFailed
from rejoinder.services import Services
from rejoinder.sites.service import (
    KEY_LENGTH,
    generate_key,
    hash_key,
    looks_like_key,
    normalise_url,
    wordpress_can_type,
)
from rejoinder.storage.schema import api_keys


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("https://Blog.Example.COM/", "https://blog.example.com"),
        ("HTTP://blog.example.com:80/news/", "http://blog.example.com/news"),
        ("https://blog.example.com:443", "https://blog.example.com"),
        ("https://blog.example.com:8443/", "https://blog.example.com:8443"),
        ("http://[2001:DB8::1]:8080/", "http://[2001:db8::1]:8080"),
    ],
)
def test_normalise_url(raw: str, norm: str) -> None:
    assert normalise_url(raw) == norm


@pytest.mark.parametrize(
    "bad", ["", "blog.example.com", "ftp://x.example", "https://", "http://x:99999/"]
)
def test_normalise_rejects(bad: str) -> None:
    with pytest.raises(ValidationFailed):
        normalise_url(bad)


def test_generated_keys_are_twelve_hex_digits() -> None:
    keys = {generate_key() for _ in range(2000)}
    assert len(keys) == 2000
    # The WordPress key screen strips everything outside 0-9a-f and then wants 12 characters.
    assert all(re.fullmatch(f"[0-9a-f]{{{KEY_LENGTH}}}", k) for k in keys)
    assert all(looks_like_key(k) and wordpress_can_type(k) for k in keys)
    used = Counter(c for k in keys for c in k)
    assert set(used) == set("0123456789abcdef")  # every digit used: not a narrowed alphabet
    assert max(used.values()) < 2 * min(used.values())


def test_letter_keys_made_before_keep_working(services: Services) -> None:
    services.sites.add_site("https://a.example")
    old = services.sites.create_key(["https://a.example"], key="lz53iirooyz9")
    assert looks_like_key(old) and not wordpress_can_type(old)
    info = services.sites.lookup(old)
    assert info is not None and info.allows("https://a.example")
    assert services.sites.lookup("LZ53IIROOYZ9") is not None  # case does not matter


def test_key_stored_only_as_hash(services: Services) -> None:
    services.sites.add_site("https://a.example")
    key = services.sites.create_key(["https://a.example"])
    with services.db.read() as conn:
        row = conn.execute(api_keys.select()).one()
    assert key not in str(tuple(row))
    assert row.key_hash == hash_key(key)


def test_lookup_and_revoke(services: Services) -> None:
    services.sites.add_site("https://a.example")
    key = services.sites.create_key(["https://a.example/"])
    info = services.sites.lookup(key)
    assert (
        info is not None
        and info.allows("https://a.example")
        and not info.allows("https://b.example")
    )
    services.sites.revoke_key(key)
    assert services.sites.lookup(key) is None
    with pytest.raises(NotFound):
        services.sites.revoke_key(key)


def test_unlimited_key_allows_any_site(services: Services) -> None:
    info = services.sites.lookup(services.sites.create_key([]))
    assert info is not None and info.allows("https://anything.example")


def test_duplicate_site_conflicts(services: Services) -> None:
    services.sites.add_site("https://a.example")
    with pytest.raises(Conflict):
        services.sites.add_site("HTTPS://A.example/")


def test_key_for_unknown_site_is_refused(services: Services) -> None:
    with pytest.raises(NotFound):
        services.sites.create_key(["https://nope.example"])
