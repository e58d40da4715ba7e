"""What the points service refuses, and why. The gateway maps these by name."""


class PointsError(Exception):
    """Root of every error the points service raises on purpose."""


class AccountNotFound(PointsError):
    """No points account exists for this volunteer."""


class TransferNotFound(PointsError):
    """No ledger entry has this id."""


class NotAllowed(PointsError):
    """The caller may not see or move these points."""


class InsufficientPoints(PointsError):
    """The movement would take a volunteer's balance below zero."""


class NotReversible(PointsError):
    """This entry cannot be reversed (already reversed, or owned by a saga)."""


class RateNotAllowed(PointsError):
    """A rate may only take effect after today: the past is never re-priced."""


class BadCursor(PointsError):
    """The statement cursor is not one this service gave out."""
