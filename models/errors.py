"""Domain errors: shown to the user, so they say what is wrong and what to do.

Messages are English msgids marked with ``N_`` and formatted with named parameters; the web
layer translates them (Danish by default), the CLI prints them as they are.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext no-op marker
    """Marks a message for translation without translating it here (models knows no Flask)."""
    return message


class DomainError(Exception):
    """A rule of the domain refused the operation; nothing was written."""

    def __init__(self, msgid: str, field: str | None = None, **params: object) -> None:
        self.msgid = msgid
        self.params = params
        self.field = field
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.msgid % self.params if self.params else self.msgid


class NotFound(DomainError):
    pass


class Conflict(DomainError):
    """Someone else changed the same thing first (e.g. two coordinators approving)."""


class AlreadyDone(Conflict):
    """The same form was submitted again (a double click): the first submission was saved.

    ``result_id`` is the id of what the first submission made, so the page can show it.
    """

    def __init__(self, msgid: str, result_id: int | None = None, **params: object) -> None:
        super().__init__(msgid, **params)
        self.result_id = result_id
