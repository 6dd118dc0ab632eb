from pathlib import Path

import pytest

from rejoinder.errors import ConfigError
from rejoinder.settings import describe, iter_table, load_settings

DOCS = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text()
    missing = [env for _name, env, _d, _h in iter_table() if f"`{env}`" not in text]
    assert missing == [], f"undocumented settings in docs/configuration.md: {missing}"


def test_every_setting_has_help() -> None:
    assert all(help_text for _n, _e, _d, help_text in iter_table())


def test_precedence_defaults_file_env_overrides(tmp_path: Path) -> None:
    (tmp_path / "rejoinder.toml").write_text('port = 9001\nhost = "0.0.0.0"\nlog_level = "debug"\n')
    env = {"REJOINDER_DATA_DIR": str(tmp_path), "REJOINDER_PORT": "9002"}
    settings = load_settings(env, log_level="warning")
    assert settings.host == "0.0.0.0"  # from the file
    assert settings.port == 9002  # env beats file
    assert settings.log_level == "warning"  # override beats both
    assert settings.threshold_spam == 0.9  # default


def test_default_database_is_sqlite_in_data_dir(tmp_path: Path) -> None:
    settings = load_settings({"REJOINDER_DATA_DIR": str(tmp_path)})
    assert settings.resolved_database_url() == f"sqlite:///{tmp_path.resolve()}/rejoinder.db"


def test_bad_value_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="port"):
        load_settings({"REJOINDER_DATA_DIR": str(tmp_path), "REJOINDER_PORT": "not-a-port"})


def test_unknown_key_in_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "rejoinder.toml").write_text("prot = 1\n")
    with pytest.raises(ConfigError, match="prot"):
        load_settings({"REJOINDER_DATA_DIR": str(tmp_path)})


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "rejoinder.toml").write_text("port = [\n")
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings({"REJOINDER_DATA_DIR": str(tmp_path)})


def test_describe_masks_database_password(tmp_path: Path) -> None:
    env = {
        "REJOINDER_DATA_DIR": str(tmp_path),
        "REJOINDER_DATABASE_URL": "postgresql://rj:hunter2@db/rj",
    }
    rows = {name: value for name, value, _env in describe(load_settings(env))}
    assert "hunter2" not in rows["database_url"]
    assert rows["database_url"] == "postgresql://rj:***@db/rj"


def test_public_url_follows_the_served_address(tmp_path: Path) -> None:
    base = {"REJOINDER_DATA_DIR": str(tmp_path)}
    assert load_settings(base).public_url == "http://127.0.0.1:8080"
    assert load_settings(base, port=9123).public_url == "http://127.0.0.1:9123"
    assert load_settings({**base, "REJOINDER_PORT": "9124"}).public_url == "http://127.0.0.1:9124"
    assert load_settings(base, host="0.0.0.0", port=81).public_url == "http://127.0.0.1:81"
    assert load_settings(base, host="::1").public_url == "http://[::1]:8080"
    given = {**base, "REJOINDER_PUBLIC_URL": "https://comments.example.com"}
    assert load_settings(given, port=9125).public_url == "https://comments.example.com"
