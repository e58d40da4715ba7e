"""Registering volunteers: by staff at once, or by a person's own application
that staff of their community approve or reject."""

import logging
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.teams import keywords, places, policy
from services.teams.exceptions import (
    IdCardAlreadyRegistered,
    VolunteerConflict,
    VolunteerNotFound,
)
from services.teams.models import (
    ACTIVE,
    PENDING,
    REJECTED,
    Membership,
    Team,
    Volunteer,
)

logger = logging.getLogger(__name__)


def now():
    return datetime.now(UTC)


def registered_event(volunteer):
    """What VolunteerRegistered says: no phone, never the ID card."""
    return {
        "volunteer_id": volunteer.id,
        "name": volunteer.name,
        "community": volunteer.community,
        "skills": volunteer.skills,
    }


def _new_volunteer(session, volunteer_id, fields, hasher, **state):
    places.community(session, fields["community"])
    fields = dict(fields)
    number = fields.pop("id_card_no", None)
    volunteer = Volunteer(
        id=volunteer_id,
        id_card_hash=hasher(number) if number else None,
        registered_at=now(),
        version=1,
        search_text=keywords.searchable(fields["name"], *fields["skills"]),
        **fields,
        **state,
    )
    if volunteer.id_card_hash and session.scalar(
        select(Volunteer.id).where(Volunteer.id_card_hash == volunteer.id_card_hash)
    ):
        raise IdCardAlreadyRegistered("a volunteer with this ID card is registered")
    session.add(volunteer)
    try:
        session.flush()
    except IntegrityError as exc:
        # the same number registered by a concurrent transaction
        if "id_card_hash" in str(exc.orig):
            raise IdCardAlreadyRegistered(
                "a volunteer with this ID card is registered"
            ) from None
        raise VolunteerConflict("this account applied already") from None
    return volunteer


def register_volunteer(uow, caller, fields, hasher, today):
    """Register a volunteer on staff's word; emits VolunteerRegistered. One who
    names no day joined `today`, the district's date."""
    policy.check_staff_of(caller, fields["community"])
    volunteer_id = uow.new_id()
    registered = uow.session.get(Volunteer, volunteer_id)
    if registered is not None:
        logger.info("volunteer registered before volunteer_id=%s", volunteer_id)
        return registered
    fields = {**fields, "joined_on": fields.get("joined_on") or today}
    volunteer = _new_volunteer(uow.session, volunteer_id, fields, hasher, status=ACTIVE)
    event = uow.emit(
        "VolunteerRegistered", registered_event(volunteer), subject=volunteer.id
    )
    logger.info(
        "volunteer registered volunteer_id=%s event_id=%s", volunteer.id, event.id
    )
    return volunteer


def apply(uow, caller, fields, hasher):
    """A signed-in person asks to volunteer; pending until staff approve."""
    policy.check_apply(caller)
    volunteer_id = uow.new_id()
    applied = uow.session.get(Volunteer, volunteer_id)
    if applied is not None:
        logger.info("volunteer applied before volunteer_id=%s", volunteer_id)
        return applied
    live = uow.session.scalar(
        select(Volunteer.id).where(
            Volunteer.user_id == caller.user_id, Volunteer.status != REJECTED
        )
    )
    if live:
        raise VolunteerConflict(f"this account applied already as volunteer {live}")
    volunteer = _new_volunteer(
        uow.session,
        volunteer_id,
        fields,
        hasher,
        status=PENDING,
        user_id=caller.user_id,
    )
    logger.info(
        "volunteer applied volunteer_id=%s user_id=%s", volunteer.id, caller.user_id
    )
    return volunteer


def _lock(session, volunteer_id):
    volunteer = session.execute(
        select(Volunteer).where(Volunteer.id == volunteer_id).with_for_update()
    ).scalar_one_or_none()
    if volunteer is None:
        raise VolunteerNotFound(f"no volunteer {volunteer_id}")
    return volunteer


def approve(uow, caller, volunteer_id, today):
    """Staff accept an application; emits VolunteerRegistered. Approving an
    approved volunteer again changes nothing, so a caller may safely retry."""
    volunteer = _lock(uow.session, volunteer_id)
    policy.check_staff_of(caller, volunteer.community)
    if volunteer.status == ACTIVE:
        return volunteer
    if volunteer.status != PENDING:
        raise VolunteerConflict(f"volunteer {volunteer_id} is {volunteer.status}")
    volunteer.status, volunteer.updated_at = ACTIVE, now()
    volunteer.joined_on = volunteer.joined_on or today
    event = uow.emit(
        "VolunteerRegistered", registered_event(volunteer), subject=volunteer.id
    )
    logger.info(
        "volunteer approved volunteer_id=%s event_id=%s", volunteer.id, event.id
    )
    return volunteer


def reject(uow, caller, volunteer_id, reason):
    """Staff turn an application down; its ID card may be used again."""
    volunteer = _lock(uow.session, volunteer_id)
    policy.check_staff_of(caller, volunteer.community)
    if volunteer.status != PENDING:
        raise VolunteerConflict(f"volunteer {volunteer_id} is {volunteer.status}")
    volunteer.status, volunteer.status_reason = REJECTED, reason
    volunteer.id_card_hash, volunteer.updated_at = None, now()
    logger.info("volunteer rejected volunteer_id=%s", volunteer.id)
    return volunteer


def teams_of(session, volunteer_ids):
    """Each volunteer's current teams, as {volunteer_id: [(team_id, community)]}."""
    rows = session.execute(
        select(Membership.volunteer_id, Team.id, Team.community)
        .join(Team, Team.id == Membership.team_id)
        .where(Membership.volunteer_id.in_(volunteer_ids), Membership.left_at.is_(None))
        .order_by(Membership.joined_at, Team.id)
    )
    found = {volunteer_id: [] for volunteer_id in volunteer_ids}
    for volunteer_id, team_id, community in rows:
        found[volunteer_id].append((team_id, community))
    return found


def get_volunteer(session, caller, volunteer_id):
    volunteer = session.get(Volunteer, volunteer_id)
    teams = teams_of(session, [volunteer_id])[volunteer_id]
    if volunteer is None or not policy.sees_volunteer(
        caller, volunteer, {c for _, c in teams}, [t for t, _ in teams]
    ):
        raise VolunteerNotFound(f"no volunteer {volunteer_id}")
    return volunteer_view(volunteer, [t for t, _ in teams])


def volunteer_view(volunteer, team_ids):
    return {
        "id": volunteer.id,
        "name": volunteer.name,
        "phone": volunteer.phone,
        "community": volunteer.community,
        "skills": volunteer.skills,
        "availability": volunteer.availability,
        "joined_on": volunteer.joined_on.isoformat() if volunteer.joined_on else None,
        "status": volunteer.status,
        "id_card_on_file": volunteer.id_card_hash is not None,
        "user_id": volunteer.user_id,
        "team_ids": team_ids,
    }
