"""Typed rule parameters: the text an office writes, parsed exactly or refused with what was expected."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from scoring.spec.params import ParamError, ParamSpec, split_params

PICO = 10**12


def test_params_split_on_either_semicolon_and_keep_what_does_not_parse() -> None:
    assert split_params("per=0.5； cap=2;bad") == ({"per": "0.5", "cap": "2"}, ["bad"])
    assert split_params("") == ({}, [])


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        ("amount", "0.5", PICO // 2),
        ("amount", "0.5分", PICO // 2),
        ("amount", "0.1", PICO // 10),  # exact: no binary float in between
        ("share", "50%", Fraction(1, 2)),
        ("share", "0.3", Fraction(3, 10)),
        ("mapping", "一般:1,严重:2", {"一般": PICO, "严重": 2 * PICO}),
        ("date", "2021-12-31", dt.date(2021, 12, 31)),
    ],
)
def test_each_kind_parses_exactly(kind: str, text: str, value: object) -> None:
    assert ParamSpec(kind).parse(text) == value


@pytest.mark.parametrize(("kind", "text"), [("amount", "abc"), ("date", "2021-13-01"), ("mapping", "一般")])
def test_a_bad_value_says_what_was_expected(kind: str, text: str) -> None:
    with pytest.raises(ParamError, match="应为"):
        ParamSpec(kind).parse(text)
