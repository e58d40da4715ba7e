"""Who may see or correct points. Pure rules; the district admin may do anything."""

from services.points.exceptions import NotAllowed


def check_may_see(caller, volunteer_id, community):
    """The volunteer, staff of the volunteer's community, and the admin."""
    if not (
        caller.is_admin
        or caller.volunteer_id == volunteer_id
        or (community is not None and caller.is_staff_of(community))
    ):
        raise NotAllowed(
            "only the volunteer, staff of their community and the admin see these"
            " points"
        )


def check_may_correct(caller):
    """Corrections, adjustments and rates are the district's: the admin's."""
    if not caller.is_admin:
        raise NotAllowed("only the district admin corrects the ledger or sets rates")
