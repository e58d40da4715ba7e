"""The teams service: the district's directory of places, stations, teams and
volunteers, and each volunteer's service record."""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from marshmallow import ValidationError
from nameko.dependency_providers import Config
from nameko.web.handlers import http

from eventing.database import Database
from eventing.handlers import reliable_handler
from eventing.health import health_response
from eventing.identity import Caller
from eventing.relay import OutboxRelay
from eventing.rpc import rpc
from services.teams import (
    csvrows,
    directory,
    members,
    places,
    record,
    search,
    volunteers,
)
from services.teams.dependencies import IdCardHasher
from services.teams.exceptions import TeamsError
from services.teams.models import Base
from services.teams.schemas import (
    AddMemberSchema,
    ApplyVolunteerSchema,
    PutStationSchema,
    RegisterTeamSchema,
    RegisterVolunteerSchema,
    RejectVolunteerSchema,
    StationQuerySchema,
    TeamQuerySchema,
    UpdateTeamSchema,
    VolunteerQuerySchema,
)

logger = logging.getLogger(__name__)

EXPECTED = (TeamsError, ValidationError)
DISTRICT_KEY = "DISTRICT_NAME"
TIMEZONE_KEY = "DISTRICT_TIMEZONE"


def _caller(caller):
    return None if caller is None else Caller.from_dict(caller)


class TeamsService:
    name = "teams"

    db = Database(Base.metadata)
    relay = OutboxRelay()
    hash_id_card = IdCardHasher()
    config = Config()

    @http("GET", "/health")
    def health(self, request):
        """The service runs and its database answers."""
        return health_response(self.db)

    # ---- places and stations

    @rpc(expected_exceptions=EXPECTED)
    def get_places(self, caller):
        """The district, its streets and their communities."""
        district = self.config.get(DISTRICT_KEY) or ""
        with self.db.session() as session:
            return places.tree(session, str(district))

    @rpc(expected_exceptions=EXPECTED)
    def list_stations(self, caller, query):
        """Stations, of one community if asked: `{items}`."""
        community = StationQuerySchema().load(query)["community"]
        with self.db.session() as session:
            return places.list_stations(session, community)

    @rpc(expected_exceptions=EXPECTED)
    def put_station(self, caller, station_id, payload):
        """Add or change a station, with its street and community if new."""
        fields = PutStationSchema().load(payload)
        # the id comes from the path, which no schema loads; the same codes
        # as the registry's spreadsheets take
        try:
            csvrows.code(station_id)
        except ValueError as exc:
            raise ValidationError({"station_id": [str(exc)]}) from None
        with self.db.transaction() as uow:
            return places.put_station(uow, Caller.from_dict(caller), station_id, fields)

    # ---- teams

    @rpc(expected_exceptions=EXPECTED)
    def register_team(self, caller, payload):
        """Register a team; emits TeamRegistered."""
        fields = RegisterTeamSchema().load(payload)
        with self.db.transaction() as uow:
            team = directory.register_team(uow, Caller.from_dict(caller), fields)
            team_id = team.id
        return self.get_team(caller, team_id)

    @rpc(expected_exceptions=EXPECTED)
    def update_team(self, caller, team_id, payload):
        """Change a team; emits TeamUpdated, TeamSuspended or TeamReactivated."""
        changes = UpdateTeamSchema().load(payload)
        with self.db.transaction() as uow:
            directory.update_team(uow, Caller.from_dict(caller), team_id, changes)
        return self.get_team(caller, team_id)

    @rpc(expected_exceptions=EXPECTED)
    def add_member(self, caller, team_id, payload):
        """Add a volunteer to a team; emits VolunteerJoinedTeam."""
        volunteer_id = AddMemberSchema().load(payload)["volunteer_id"]
        with self.db.transaction() as uow:
            members.add_member(uow, Caller.from_dict(caller), team_id, volunteer_id)
        return self.get_team(caller, team_id)

    @rpc(expected_exceptions=EXPECTED)
    def remove_member(self, caller, team_id, volunteer_id):
        """End a membership; emits VolunteerLeftTeam."""
        with self.db.transaction() as uow:
            members.remove_member(uow, Caller.from_dict(caller), team_id, volunteer_id)
        return self.get_team(caller, team_id)

    @rpc(expected_exceptions=EXPECTED)
    def get_team(self, caller, team_id):
        """One team; its contact phone only for those allowed to call it."""
        with self.db.session() as session:
            return directory.get_team(session, _caller(caller), team_id)

    @rpc(expected_exceptions=EXPECTED)
    def list_teams(self, caller, query):
        """Teams by keyword, category, street, community and kind, a page at
        a time: `{items, next_cursor}`."""
        filters = TeamQuerySchema().load(query)
        with self.db.session() as session:
            return search.browse_teams(session, _caller(caller), filters)

    # ---- volunteers

    @rpc(expected_exceptions=EXPECTED)
    def register_volunteer(self, caller, payload):
        """Register a volunteer; emits VolunteerRegistered."""
        fields = RegisterVolunteerSchema().load(payload)
        with self.db.transaction() as uow:
            volunteer = volunteers.register_volunteer(
                uow, Caller.from_dict(caller), fields, self.hash_id_card, self.today()
            )
            return volunteers.volunteer_view(volunteer, [])

    @rpc(expected_exceptions=EXPECTED)
    def apply_volunteer(self, caller, payload):
        """A signed-in person applies to volunteer, pending staff approval."""
        fields = ApplyVolunteerSchema().load(payload)
        with self.db.transaction() as uow:
            volunteer = volunteers.apply(
                uow, Caller.from_dict(caller), fields, self.hash_id_card
            )
            return volunteers.volunteer_view(volunteer, [])

    @rpc(expected_exceptions=EXPECTED)
    def approve_volunteer(self, caller, volunteer_id):
        """Approve an application; emits VolunteerRegistered."""
        with self.db.transaction() as uow:
            volunteer = volunteers.approve(
                uow, Caller.from_dict(caller), volunteer_id, self.today()
            )
            return volunteers.volunteer_view(volunteer, [])

    @rpc(expected_exceptions=EXPECTED)
    def reject_volunteer(self, caller, volunteer_id, payload):
        """Turn an application down, with the reason."""
        reason = RejectVolunteerSchema().load(payload)["reason"]
        with self.db.transaction() as uow:
            volunteer = volunteers.reject(
                uow, Caller.from_dict(caller), volunteer_id, reason
            )
            return volunteers.volunteer_view(volunteer, [])

    @rpc(expected_exceptions=EXPECTED)
    def get_volunteer(self, caller, volunteer_id):
        """One volunteer, for themself, their staff and their teams' leaders."""
        with self.db.session() as session:
            return volunteers.get_volunteer(
                session, Caller.from_dict(caller), volunteer_id
            )

    @rpc(expected_exceptions=EXPECTED)
    def list_volunteers(self, caller, query):
        """Volunteers by keyword, community and team: `{items, next_cursor}`."""
        filters = VolunteerQuerySchema().load(query)
        with self.db.session() as session:
            return search.browse_volunteers(session, Caller.from_dict(caller), filters)

    @rpc(expected_exceptions=EXPECTED)
    def get_service_record(self, caller, volunteer_id):
        """Every order the volunteer served, with totals by year."""
        with self.db.session() as session:
            return record.service_record(
                session, Caller.from_dict(caller), volunteer_id, self.timezone()
            )

    @rpc(expected_exceptions=EXPECTED)
    def get_service_record_csv(self, caller, volunteer_id):
        """The service record's orders as CSV text."""
        return record.to_csv(self.get_service_record(caller, volunteer_id))

    @reliable_handler("orders", "OrderCompleted")
    def handle_order_completed(self, event):
        """Add the order to the service record of each volunteer who served.

        Idempotent on the event id (inbox) and on order and volunteer (the
        key of each entry); a failure is retried with delays, then
        dead-lettered.
        """
        order_id = event.data["order_id"]
        with self.db.transaction() as uow:
            if not uow.mark_applied("teams.OrderCompleted", event.id):
                logger.info(
                    "duplicate ignored event_id=%s order_id=%s", event.id, order_id
                )
                return
            record.record_completed(uow.session, event.data)
        logger.info(
            "service recorded event_id=%s order_id=%s volunteers=%d",
            event.id,
            order_id,
            len(event.data["minutes"]),
        )

    def timezone(self):
        return ZoneInfo(str(self.config.get(TIMEZONE_KEY) or "Asia/Shanghai"))

    def today(self):
        """The date in the district now."""
        return datetime.now(self.timezone()).date()
