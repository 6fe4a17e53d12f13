"""Settings as declared in settings.toml: parsed into a typed Settings, every problem located."""

from __future__ import annotations

import pytest

from scoring.errors import ValidationFailed
from scoring.testing import example_year


def test_the_example_settings_parse() -> None:
    s = example_year().settings()
    assert s.class_ids == ["town", "dept"]
    assert s.places == 2 and s.rounding == "half_up"


def test_declared_settings_change_the_typed_value() -> None:
    s = example_year(settings='[rounding]\nplaces = 1\nmode = "half_even"\n').settings()
    assert (s.places, s.rounding) == (1, "half_even")


@pytest.mark.parametrize(
    ("extra", "column"),
    [
        ('[rounding]\nmode = "banker"\n', "rounding.mode"),
        ("[rounding]\nplaces = 9\n", "rounding.places"),
    ],
)
def test_a_bad_setting_is_refused_with_its_key(extra: str, column: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        example_year(settings=extra).settings()
    assert any(i.column == column and i.file == "settings.toml" for i in caught.value.errors)
