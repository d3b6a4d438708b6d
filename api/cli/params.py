"""Parameter types that check what they parse: a malformed value is a usage error (exit 2,
click's message naming the option, the reason in both languages), before any database is
opened. A well-formed value the service does not know (an enterprise, a factor set) stays
an input error (exit 1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

import click

from carbon.domain.errors import CarbonError
from carbon.domain.identifiers import Period
from carbon.services.reference import split_ref

if TYPE_CHECKING:
    TextType: TypeAlias = click.ParamType[str]
else:  # click before 8.2 has no type parameters
    TextType = click.ParamType


class MonthType(TextType):
    """``YYYY-MM`` (``carbon.domain.identifiers.Period``), passed on as its canonical text."""

    name = "YYYY-MM"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if isinstance(value, Period):
            return str(value)
        try:
            return str(Period.parse(str(value)))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class ReferenceType(TextType):
    """A factor set or methodology version, ``ID@VERSION`` (``cn-default@2``)."""

    name = "ID@VERSION"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        try:
            split_ref(text)
        except CarbonError as exc:
            self.fail(exc.message, param, ctx)
        return text


MONTH = MonthType()
REFERENCE = ReferenceType()
