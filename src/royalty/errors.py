"""The errors royalty raises.

Policy: library code raises a :class:`RoyaltyError` subclass whose message says
what happened and what to do next, in one line. Only ``cli.py`` turns these
into ``Error: …`` on stderr with exit code 1. Anything else that escapes is a
bug in royalty, not a mistake of the user's.
"""

from __future__ import annotations


class RoyaltyError(Exception):
    """Base class: a problem with the user's input, data or network."""


class UsageError(RoyaltyError):
    """An argument or option value that cannot be used (bad rate, bad date…)."""


class UserNameError(UsageError):
    """A user name that Last.fm would not accept, or that could escape the store."""


class UnknownUserError(RoyaltyError):
    """No history is stored for this user."""


class StoreLockedError(RoyaltyError):
    """Another royalty process is writing this user's history."""


class StoreError(RoyaltyError):
    """The store on disk cannot be read or written."""


class DataFormatError(RoyaltyError):
    """A listening-history file or response that cannot be parsed."""
