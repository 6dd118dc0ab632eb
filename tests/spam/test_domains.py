import itertools

from rejoinder.spam.domains import is_ip_host, on_list

LISTED = frozenset({"bb", "x.y", "bb.co.uk", "co.uk", "example.com", ".com", "a.bb", "Upper"})


def parents(host: str) -> list[str]:
    """The rule ``on_list`` implements, spelled out: the name and its parents but the TLD."""
    labels = host.lower().rstrip(".").split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)] or [host]


def test_on_list_matches_the_name_or_a_parent_but_never_the_bare_tld() -> None:
    assert on_list("shop.example.com", LISTED) and on_list("EXAMPLE.COM.", LISTED)
    assert not on_list("notexample.com", LISTED)  # a suffix of the text is not a parent
    assert not on_list("uk", LISTED) and not on_list("", LISTED)
    assert on_list("Upper", LISTED) and not on_list("upper", LISTED)  # no dot: as given


def test_on_list_agrees_with_the_parent_rule_on_odd_names() -> None:
    pieces = ["a", "bb", "x.y", "", "co.uk", "EXAMPLE", "com", "Upper"]
    for n in range(4):
        for combo in itertools.product(pieces, repeat=n):
            for end in ("", ".", ".."):
                host = ".".join(combo) + end
                expected = bool(host) and any(p in LISTED for p in parents(host))
                assert on_list(host, LISTED) is expected, host


def test_ip_literals_and_plain_names() -> None:
    for host in ("1.2.3.4", "[2001:db8::1]", "::1", "3232235777", "0x7f000001", "fe80::1%eth0"):
        assert is_ip_host(host), host
    for host in ("example.com", "1.2.3.4.example", "0x", "", "1.2.3", "1.2.3.4 ", "a:b"):
        assert not is_ip_host(host), host
