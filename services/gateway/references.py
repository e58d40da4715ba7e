"""What a body names must exist before any service acts on it: an order's, a
bank's, a distribution's family's or an account's community, an account's
team, volunteer or bank (422 if not).

The teams service owns the district's places and the inventory service its
banks; the gateway asks them. Communities are asked on every order, so each
gateway process keeps their names and asks the teams service again only for
a name it does not know: a known community costs nothing, a community added
since is found on its first use, and an unknown one costs one RPC.
"""

from nameko.exceptions import RemoteError
from nameko.extensions import DependencyProvider

from services.gateway.errors import Unprocessable


class KnownCommunities(DependencyProvider):
    """The district's community names, as last heard from the teams service."""

    def setup(self):
        self.names = frozenset()

    def get_dependency(self, worker_ctx):
        return self

    def require(self, teams, caller, community):
        """Unprocessable unless `community` is one of the district's."""
        if community in self.names:
            return
        places = teams.get_places(caller)
        self.names = frozenset(
            c["name"] for street in places["streets"] for c in street["communities"]
        )
        if community not in self.names:
            raise Unprocessable(f"community {community!r} is not one of the district's")


def require_account_references(service, caller, fields):
    """Unprocessable unless the community, team, volunteer and bank a new
    account names exist."""
    if fields.get("community"):
        service.communities.require(service.teams, caller, fields["community"])
    if fields.get("team_id"):
        _found(
            service.teams.get_team, caller, fields["team_id"], "TeamNotFound", "team"
        )
    if fields.get("volunteer_id"):
        _found(
            service.teams.get_volunteer,
            caller,
            fields["volunteer_id"],
            "VolunteerNotFound",
            "volunteer",
        )
    if fields.get("bank_id"):
        banks = service.inventory.list_banks(caller)
        if fields["bank_id"] not in {bank["id"] for bank in banks}:
            raise Unprocessable(f"no bank {fields['bank_id']!r}")


def _found(get, caller, record_id, missing, what):
    """Unprocessable if `get` answers the service's `missing` error."""
    try:
        get(caller, record_id)
    except RemoteError as exc:
        if exc.exc_type != missing:
            raise
        raise Unprocessable(f"no {what} {record_id!r}") from None
