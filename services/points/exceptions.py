"""What the points service refuses, and why. The gateway maps these by name."""


class PointsError(Exception):
    """Root of every error the points service raises on purpose."""


class AccountNotFound(PointsError):
    """No points account exists for this volunteer."""


class NotAllowed(PointsError):
    """The caller may not see or move these points."""
