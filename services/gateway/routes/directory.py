"""Places, stations and teams: the directory the teams service keeps."""

from services.gateway.api import api
from services.gateway.responses import (
    PlacesSchema,
    StationListSchema,
    StationSchema,
    TeamPageSchema,
    TeamSchema,
)
from services.gateway.routes import caller_of
from services.teams.schemas import (
    AddMemberSchema,
    PutStationSchema,
    RegisterTeamSchema,
    StationQuerySchema,
    TeamQuerySchema,
    UpdateTeamSchema,
)


class DirectoryRoutes:
    @api("GET", "/api/places", response=PlacesSchema)
    def get_places(self, request):
        """The district's streets and each street's communities."""
        return self.teams.get_places(caller_of(request))

    @api("GET", "/api/stations", query=StationQuerySchema, response=StationListSchema)
    def list_stations(self, request):
        """The volunteer stations, of one community if asked: `{items}`."""
        return self.teams.list_stations(caller_of(request), request.query)

    @api(
        "PUT",
        "/api/stations/<string:station_id>",
        body=PutStationSchema,
        response=StationSchema,
        errors=(409, 422),
    )
    def put_station(self, request, station_id):
        """Add or change a station (and its street and community if new)."""
        return self.teams.put_station(caller_of(request), station_id, request.body)

    @api(
        "POST",
        "/api/teams",
        body=RegisterTeamSchema,
        response=TeamSchema,
        status=201,
        idempotent=True,
        errors=(422,),
    )
    def register_team(self, request):
        """Register a team; TeamRegistered follows."""
        return self.teams.register_team(caller_of(request), request.body)

    @api("GET", "/api/teams", query=TeamQuerySchema, response=TeamPageSchema)
    def list_teams(self, request):
        """Teams by keyword, category, street, community and kind, a page at a
        time: `{items, total, next_cursor}`."""
        return self.teams.list_teams(caller_of(request), request.query)

    @api("GET", "/api/teams/<string:team_id>", response=TeamSchema)
    def get_team(self, request, team_id):
        """One team; its contact phone for signed-in residents and staff."""
        return self.teams.get_team(caller_of(request), team_id)

    @api(
        "PATCH",
        "/api/teams/<string:team_id>",
        body=UpdateTeamSchema,
        response=TeamSchema,
        errors=(409, 422),
    )
    def update_team(self, request, team_id):
        """Change a team, its leaders or its status; TeamUpdated, TeamSuspended
        or TeamReactivated follows."""
        return self.teams.update_team(caller_of(request), team_id, request.body)

    @api(
        "POST",
        "/api/teams/<string:team_id>/members",
        body=AddMemberSchema,
        response=TeamSchema,
        errors=(409,),
    )
    def add_member(self, request, team_id):
        """Add a volunteer to a team; VolunteerJoinedTeam follows."""
        return self.teams.add_member(caller_of(request), team_id, request.body)

    @api(
        "DELETE",
        "/api/teams/<string:team_id>/members/<string:volunteer_id>",
        response=TeamSchema,
    )
    def remove_member(self, request, team_id, volunteer_id):
        """End a membership; VolunteerLeftTeam follows."""
        return self.teams.remove_member(caller_of(request), team_id, volunteer_id)
