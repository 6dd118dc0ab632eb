"""docs/privacy.md stays true: every column of the schema is in its data map."""

from __future__ import annotations

from pathlib import Path

from rejoinder.privacy.rules import RULES
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


def test_data_map_names_no_column_that_does_not_exist() -> None:
    """For tables in the schema, every documented column exists (no stale rows)."""
    import re

    text = DOC.read_text()
    rule_names = {r.name for r in RULES}  # e.g. `feedback.personal` names a rule, not a column
    stale = []
    for table_name, column in re.findall(r"`([a-z_]+)\.([a-z_]+)`", text):
        if f"{table_name}.{column}" in rule_names:
            continue
        table = metadata.tables.get(table_name)
        if table is not None and column not in table.c:
            stale.append(f"{table_name}.{column}")
    assert stale == [], f"docs/privacy.md names columns the schema does not have: {stale}"
