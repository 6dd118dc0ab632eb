"""What the WordPress Akismet plugin sends that no other client does, undone at the edge.

WordPress adds backslashes to every request variable (``wp_magic_quotes``) and hands the
comment to ``preprocess_comment`` slashed, so the plugin's *first* comment-check carries
``don\\'t`` and ``\\"quick start\\"``; rechecks (``recheck_reason``) and submit-spam/ham read
the comment back from the database and send the clean text. Only that first check is
unslashed, and only when the plugin announces itself (``WordPress/<v> | Akismet/<v>``): a
backslash from any other client is the commenter's own.
"""

from __future__ import annotations

import re

WORDPRESS_UA_RE = re.compile(r"^WordPress/[^|]*\|\s*Akismet/", re.IGNORECASE)

# Fields the plugin fills from options or computes itself: never slashed, left as they are.
UNSLASHED_FIELDS = frozenset(
    {"blog", "blog_lang", "blog_charset", "permalink", "user_role", "akismet_comment_nonce",
     "is_test", "comment_post_modified_gmt", "api_key", "key", "recheck_reason"}
)  # fmt: skip

_SLASHED_RE = re.compile(r"\\(.?)", re.DOTALL)


def is_wordpress_plugin(user_agent: str) -> bool:
    """The Akismet plugin for WordPress (``WordPress/6.1.9 | Akismet/5.0.2``)."""
    return bool(WORDPRESS_UA_RE.match(user_agent.strip()))


def stripslashes(value: str) -> str:
    """PHP's ``stripslashes`` (WordPress' ``wp_unslash``): ``\\x`` becomes ``x``, ``\\\\``
    one backslash, ``\\0`` a NUL character, and a lone trailing backslash goes."""
    if "\\" not in value:
        return value
    return _SLASHED_RE.sub(lambda m: "\0" if m.group(1) == "0" else m.group(1), value)


def is_first_wordpress_check(user_agent: str, fields: dict[str, str]) -> bool:
    return is_wordpress_plugin(user_agent) and not fields.get("recheck_reason", "").strip()


def unslashed(fields: dict[str, str]) -> dict[str, str]:
    """The fields as the commenter typed them (see the module docstring)."""
    return {
        name: value if name in UNSLASHED_FIELDS else stripslashes(value)
        for name, value in fields.items()
    }


def as_typed(user_agent: str, fields: dict[str, str]) -> dict[str, str]:
    """A comment-check's fields without WordPress' slashes when (and only when) it is the
    plugin's first check of a comment."""
    return unslashed(fields) if is_first_wordpress_check(user_agent, fields) else fields
