"""docs/privacy.md stays true: every column of the schema is in its data map."""

from __future__ import annotations

from pathlib import Path

from rejoinder.privacy.retention import RULES
from rejoinder.settings import Settings, env_name
from rejoinder.storage.schema import metadata

DOC = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"


def test_every_column_is_in_the_data_map() -> None:
    text = DOC.read_text()
    missing = [
        f"{table.name}.{column.name}"
        for table in metadata.sorted_tables
        for column in table.columns
        if f"`{table.name}.{column.name}`" not in text
    ]
    assert missing == [], f"add these columns to the data map in docs/privacy.md: {missing}"


def test_every_retention_rule_and_default_is_documented() -> None:
    text = DOC.read_text()
    for rule in RULES:
        assert f"`{rule.name}`" in text, rule.name
        if rule.days_setting:
            default = Settings.model_fields[rule.days_setting].default
            assert f"`{env_name(rule.days_setting)}`" in text, rule.days_setting
            assert f"| {default} days |" in text or f"{default} days" in text
