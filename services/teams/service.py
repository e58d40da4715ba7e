"""The teams service: the district's directory of teams and volunteers."""

import logging

from marshmallow import ValidationError
from nameko.web.handlers import http

from eventing.database import Database
from eventing.health import health_response
from eventing.identity import Caller
from eventing.relay import OutboxRelay
from eventing.rpc import rpc
from services.teams import directory
from services.teams.exceptions import TeamsError
from services.teams.models import Base
from services.teams.schemas import (
    AddMemberSchema,
    RegisterTeamSchema,
    RegisterVolunteerSchema,
    TeamQuerySchema,
)

logger = logging.getLogger(__name__)

EXPECTED = (TeamsError, ValidationError)


class TeamsService:
    name = "teams"

    db = Database(Base.metadata)
    relay = OutboxRelay()

    @http("GET", "/health")
    def health(self, request):
        """The service runs and its database answers."""
        return health_response(self.db)

    @rpc(expected_exceptions=EXPECTED)
    def register_team(self, caller, payload):
        """Register a team; emits TeamRegistered."""
        fields = RegisterTeamSchema().load(payload)
        with self.db.transaction() as uow:
            team = directory.register_team(uow, Caller.from_dict(caller), fields)
            return directory.team_view(team)

    @rpc(expected_exceptions=EXPECTED)
    def register_volunteer(self, caller, payload):
        """Register a volunteer; emits VolunteerRegistered."""
        fields = RegisterVolunteerSchema().load(payload)
        with self.db.transaction() as uow:
            volunteer = directory.register_volunteer(
                uow, Caller.from_dict(caller), fields
            )
            return {
                "id": volunteer.id,
                "name": volunteer.name,
                "community": volunteer.community,
            }

    @rpc(expected_exceptions=EXPECTED)
    def add_member(self, caller, team_id, payload):
        """Add a volunteer to a team; emits VolunteerJoinedTeam."""
        volunteer_id = AddMemberSchema().load(payload)["volunteer_id"]
        with self.db.transaction() as uow:
            directory.add_member(uow, Caller.from_dict(caller), team_id, volunteer_id)
        with self.db.session() as session:
            return directory.get_team(session, team_id)

    @rpc(expected_exceptions=EXPECTED)
    def get_team(self, caller, team_id):
        """One team with its members."""
        with self.db.session() as session:
            return directory.get_team(session, team_id)

    @rpc(expected_exceptions=EXPECTED)
    def list_teams(self, caller, query):
        """Teams filtered by category and community: `{items, total}`."""
        filters = TeamQuerySchema().load(query)
        with self.db.session() as session:
            return directory.list_teams(session, **filters)
