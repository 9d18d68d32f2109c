"""The one exception type for problems a user can fix: printed as a message, never a traceback."""

from __future__ import annotations


class UserError(Exception):
    """A bad argument, file or setting; the message says what is wrong and how to fix it."""


class StoreUnusable(UserError):
    """The database refuses every statement alike (read-only, its disk full, the file damaged): a poll cycle stops at
    the first, rather than failing each feed with a traceback of its own."""
