"""The one exception tree of the service.

Every error a user can cause is a ``CarbonError``; the API maps the tree to its error
envelope and the CLI to exit codes in one place each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


class CarbonError(Exception):
    """Base of every expected error. ``message`` is shown to the user as is."""

    status = 400
    code = "carbon_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CellError:
    """One rejected cell, in the user's terms (1-based row, column letter or header)."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


class ImportRejected(CarbonError):
    """A file with rejected cells. ``extra`` holds what else the answer carries (the id of
    the recorded attempt, where to download its error workbook), beside the envelope."""

    status = 422
    code = "import_rejected"

    def __init__(
        self, message: str, errors: list[CellError], extra: Mapping[str, object] | None = None
    ) -> None:
        super().__init__(message)
        self.errors = errors
        self.extra: dict[str, object] = dict(extra or {})


class UnknownEnterprise(CarbonError):
    status = 404
    code = "unknown_enterprise"


class NotFound(CarbonError):
    status = 404
    code = "not_found"


class FactorMissing(CarbonError):
    status = 409
    code = "factor_missing"


class InvalidReferenceData(CarbonError):
    status = 422
    code = "invalid_reference_data"


class InvalidValue(CarbonError):
    status = 422
    code = "invalid_value"


class ReferenceConflict(CarbonError):
    """A published version exists with other content, or a version in use cannot be retired."""

    status = 409
    code = "reference_conflict"


class NotAuthenticated(CarbonError):
    """No valid credentials: log in, or send a valid, unexpired bearer token."""

    status = 401
    code = "not_authenticated"


class Forbidden(CarbonError):
    """Authenticated, but the role or scope does not allow this."""

    status = 403
    code = "forbidden"


class ImportConflict(CarbonError):
    """Another import or feed changed the same enterprise-months at the same time."""

    status = 409
    code = "import_conflict"


class TooManyRequests(CarbonError):
    """Too many attempts (failed logins) in a short time; ``retry_after`` says how many
    seconds to wait (the API sends it as the ``Retry-After`` header)."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AlreadyDecided(CarbonError):
    """An identity change request that was already approved, rejected or superseded."""

    status = 409
    code = "already_decided"
