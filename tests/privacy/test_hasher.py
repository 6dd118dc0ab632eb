import hashlib
import hmac

import pytest

from rejoinder.core.anonymize import Hasher


@pytest.mark.parametrize("size", [0, 1, 32, 63, 64, 65, 200])
def test_digest_is_hmac_sha256_for_any_secret_length(size: int) -> None:
    secret = bytes((7 * i + 3) % 256 for i in range(size))
    hasher = Hasher(secret)
    for kind, value in [("ip", "203.0.113.7"), ("email", "jürgen@example.org"), ("net", "")]:
        expected = hmac.new(secret, f"{kind}\x00{value}".encode(), hashlib.sha256).hexdigest()
        assert hasher.digest(kind, value) == expected[:32]
    assert hasher.digest("ip", "a") != Hasher(secret + b"x").digest("ip", "a")
