"""What the teams service refuses, and why. The gateway maps these by name."""


class TeamsError(Exception):
    """Root of every error the teams service raises on purpose."""


class TeamNotFound(TeamsError):
    """No team has this id."""


class VolunteerNotFound(TeamsError):
    """No volunteer has this id."""


class NotAllowed(TeamsError):
    """The caller's role or scope does not cover this team or volunteer."""
