"""Moderators and how they prove who they are: passwords, sessions, CSRF tokens, API tokens.

- Passwords are hashed with argon2id (argon2-cffi); an unknown email costs the same as a wrong
  password, so timing does not tell which accounts exist.
- Sessions: a random id in an HttpOnly, SameSite=Strict cookie (Secure over https); only its
  SHA-256 is stored. Every login makes a new id (no fixation); logout deletes it.
- CSRF: every form carries HMAC(secret, session id hash); the login form a signed, timed token.
- Login failures are counted per account and per network prefix under keyed hashes; over the
  limit, even the right password is refused until the window passes (429).
- API tokens (``rejoinder moderators token``) are stored as SHA-256, shown once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from rejoinder.comments.sanitize import clean_email
from rejoinder.core.anonymize import Hasher, IPAddress
from rejoinder.core.clock import Clock, utcnow
from rejoinder.core.inputs import parse_id
from rejoinder.core.records.moderation import Moderator, NotifyMode, Role
from rejoinder.core.tokens import TokenKey, same
from rejoinder.errors import Conflict, NotFound, RateLimited, Unauthorized, ValidationFailed
from rejoinder.sites.service import normalise_url
from rejoinder.storage import moderation as store
from rejoinder.storage import sites as site_store
from rejoinder.storage.db import Database

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
TOKEN_PREFIX = "rjm_"  # noqa: S105 - marks a moderation API token, not a secret
LOGIN_FORM_MAX_AGE_S = 2 * 3600


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthConfig:
    session_hours: int = 12
    max_failures_account: int = 5
    max_failures_network: int = 20
    window_minutes: int = 15


@dataclass(frozen=True, slots=True)
class Session:
    cookie: str  # what goes into the cookie; never stored
    moderator: Moderator
    expires_at: datetime


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def normal_email(email: str) -> str:
    value = clean_email(email).lower()
    if not value:
        raise ValidationFailed("Give the moderator's email address.")
    return value


class ModeratorAuth:
    def __init__(
        self,
        db: Database,
        hasher: Hasher,
        secret: bytes,
        config: AuthConfig = AuthConfig(),
        clock: Clock = utcnow,
    ):
        self.db = db
        self.hasher = hasher
        self.config = config
        self.clock = clock
        # argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 50 ms.
        self.passwords = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
        self._csrf_key = TokenKey(secret, b"rejoinder-admin-csrf-v1")  # the one token signer
        self._dummy_hash = ""

    # --- accounts (the CLI) ---------------------------------------------------------------------
    def add(
        self, email: str, password: str | None, site: str | None, role: Role
    ) -> tuple[Moderator, str | None]:
        """Create a moderator, or give an existing one a role on another site. Returns the
        moderator and the generated password (None when one was given or the account existed)."""
        address = normal_email(email)
        generated = None
        if password is None:
            generated = secrets.token_urlsafe(15)
            password = generated
        check_password(password)
        now = self.clock()
        with self.db.begin() as conn:
            site_id = self._site_id(conn, site)
            found = store.moderator_by_email(conn, address)
            if found is None:
                moderator_id = store.add_moderator(
                    conn, address, self.passwords.hash(password), now
                )
                if moderator_id is None:
                    raise Conflict("That moderator was added at the same moment; try again.")
            else:
                moderator_id, generated = found.id, None
            store.set_role(conn, moderator_id, site_id, role)
            moderator = store.moderator_by_id(conn, moderator_id)
        assert moderator is not None
        return moderator, generated

    @staticmethod
    def _site_id(conn: object, site: str | None) -> int | None:
        if site is None:
            return None
        row = site_store.site_by_url(conn, normalise_url(site))  # type: ignore[arg-type]
        if row is None:
            raise NotFound(f"No such site: {site} (add it with `rejoinder sites add`).")
        return row.id

    def set_password(self, email: str, password: str) -> None:
        check_password(password)
        with self.db.begin() as conn:
            creds = store.credentials(conn, normal_email(email))
            if creds is None:
                raise NotFound("No such moderator.")
            store.set_password(conn, creds.moderator_id, self.passwords.hash(password))

    def set_notify(self, email: str, mode: NotifyMode) -> None:
        with self.db.begin() as conn:
            found = store.moderator_by_email(conn, normal_email(email))
            if found is None:
                raise NotFound("No such moderator.")
            store.set_notify(conn, found.id, mode)

    def all(self) -> list[Moderator]:
        with self.db.read() as conn:
            return store.list_moderators(conn)

    def count(self) -> int:
        with self.db.read() as conn:
            return store.count_moderators(conn)

    def remove(self, email: str) -> None:
        with self.db.begin() as conn:
            found = store.moderator_by_email(conn, normal_email(email))
            if found is None:
                raise NotFound("No such moderator.")
            store.remove_moderator(conn, found.id)

    def create_token(self, email: str) -> str:
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.db.begin() as conn:
            found = store.moderator_by_email(conn, normal_email(email))
            if found is None:
                raise NotFound("No such moderator.")
            store.add_token(conn, found.id, sha256(token), token[:10], self.clock())
        return token

    def revoke_tokens(self, email: str) -> int:
        with self.db.begin() as conn:
            found = store.moderator_by_email(conn, normal_email(email))
            if found is None:
                raise NotFound("No such moderator.")
            return store.revoke_tokens(conn, found.id, self.clock())

    def site_names(self, moderator: Moderator) -> dict[int | None, str]:
        with self.db.read() as conn:
            return {
                sid: (
                    "every site"
                    if sid is None
                    else getattr(site_store.site_by_id(conn, sid), "url", "?")
                )
                for sid in moderator.roles
            }

    # --- API tokens -------------------------------------------------------------------------------
    def by_token(self, token: str) -> tuple[Moderator, str]:
        """The moderator a bearer token belongs to, and the token's hint; 401 otherwise."""
        value = token.strip()
        if not value.startswith(TOKEN_PREFIX) or len(value) > 200:
            raise Unauthorized("Send a moderation API token: Authorization: Bearer rjm_…")
        with self.db.read() as conn:
            owner = store.token_owner(conn, sha256(value))
            moderator = store.moderator_by_id(conn, owner[0]) if owner else None
        if owner is None or moderator is None:
            raise Unauthorized("This API token is unknown or revoked.")
        return moderator, owner[1]

    # --- login, sessions ----------------------------------------------------------------------------
    def _buckets(self, email: str, client: IPAddress | None) -> list[tuple[str, int]]:
        buckets = [
            (
                "a:" + self.hasher.digest("login-account", email)[:32],
                self.config.max_failures_account,
            )
        ]
        network = self.hasher.ip_prefix(client)
        if network is not None:
            buckets.append(("n:" + network, self.config.max_failures_network))
        return buckets

    def login(self, email: str, password: str, client: IPAddress | None) -> Session:
        """A new session for the right email and password; 401 otherwise, 429 when throttled."""
        address = email.strip().lower()[:254]
        now = self.clock()
        window = timedelta(minutes=self.config.window_minutes)
        buckets = self._buckets(address, client)
        with self.db.read() as conn:
            throttled = any(store.failures(conn, b, now - window) >= limit for b, limit in buckets)
            creds = store.credentials(conn, address)
        if throttled:
            raise RateLimited(
                "Too many failed sign-ins; wait a few minutes and try again.",
                retry_after=int(window.total_seconds()),
            )
        if not self._verify(creds, password[:MAX_PASSWORD]):
            with self.db.begin() as conn:
                for bucket, _limit in buckets:
                    store.add_failure(conn, bucket, now, window)
            raise Unauthorized("Wrong email or password.")
        assert creds is not None
        cookie = secrets.token_urlsafe(32)
        expires = now + timedelta(hours=self.config.session_hours)
        with self.db.begin() as conn:
            store.clear_failures(conn, buckets[0][0])
            store.drop_expired_sessions(conn, now)
            store.add_session(conn, sha256(cookie), creds.moderator_id, now, expires)
            store.touch_login(conn, creds.moderator_id, now)
            if self.passwords.check_needs_rehash(creds.password_hash):
                store.set_password(conn, creds.moderator_id, self.passwords.hash(password))
            moderator = store.moderator_by_id(conn, creds.moderator_id)
        assert moderator is not None
        return Session(cookie, moderator, expires)

    def _verify(self, creds: store.Credentials | None, password: str) -> bool:
        try:
            if creds is None:  # spend the same time as for a real account
                self._dummy_hash = self._dummy_hash or self.passwords.hash(secrets.token_hex(8))
                self.passwords.verify(self._dummy_hash, password)
                return False
            return self.passwords.verify(creds.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def session(self, cookie: str) -> Moderator | None:
        if not cookie or len(cookie) > 100:
            return None
        with self.db.read() as conn:
            owner = store.session_owner(conn, sha256(cookie), self.clock())
            return store.moderator_by_id(conn, owner) if owner is not None else None

    def logout(self, cookie: str) -> None:
        if cookie and len(cookie) <= 100:
            with self.db.begin() as conn:
                store.drop_session(conn, sha256(cookie))

    # --- CSRF -----------------------------------------------------------------------------------------
    def csrf_token(self, cookie: str) -> str:
        return self._csrf_key.hex(sha256(cookie))

    def csrf_ok(self, cookie: str, token: str) -> bool:
        return bool(cookie) and same(token.strip()[:100], self.csrf_token(cookie))

    def login_form_token(self) -> str:
        stamp = str(int(self.clock().timestamp()))
        return f"{stamp}.{self._login_mac(stamp)}"

    def _login_mac(self, stamp: str) -> str:
        return self._csrf_key.hex(f"login\x00{stamp}")

    def login_form_ok(self, token: str) -> bool:
        stamp, _, mac = token.strip().partition(".")
        issued = parse_id(stamp)
        if issued is None or len(stamp) > 12 or not mac.isascii():
            return False
        good = self._login_mac(stamp)
        age = self.clock().timestamp() - issued
        return same(mac, good) and -60 <= age <= LOGIN_FORM_MAX_AGE_S


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed(f"A password needs at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise ValidationFailed(f"A password may have at most {MAX_PASSWORD} characters.")
