"""What the teams service refuses, and why. The gateway maps these by name."""


class TeamsError(Exception):
    """Root of every error the teams service raises on purpose."""


class TeamNotFound(TeamsError):
    """No team has this id, or the caller may not see it."""


class VolunteerNotFound(TeamsError):
    """No volunteer has this id, or the caller may not see them."""


class StationNotFound(TeamsError):
    """No station has this id."""


class MembershipNotFound(TeamsError):
    """The volunteer is not a member of this team."""


class NotAllowed(TeamsError):
    """The caller's role or scope does not cover this team or volunteer."""


class UnknownPlace(TeamsError):
    """The street, community or station named is not in the district's places."""


class InvalidDirectoryInput(TeamsError):
    """The command's content breaks a rule of the directory."""


class IdCardAlreadyRegistered(TeamsError):
    """A volunteer with this ID-card number is registered already."""


class VolunteerConflict(TeamsError):
    """The volunteer's status does not allow this command."""


class PlaceConflict(TeamsError):
    """The community belongs to another street already."""
