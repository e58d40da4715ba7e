"""What a body names must exist before any service acts on it: an order's or
an account's community, an account's team, volunteer or bank (422 if not).

The teams service owns the district's places and the inventory service its
banks; the gateway asks them. Communities are asked on every order, so each
gateway process keeps their names and asks the teams service again only for
a name it does not know: a known community costs nothing, a community added
since is found on its first use, and an unknown one costs one RPC.
"""

from nameko.exceptions import RemoteError
from nameko.extensions import DependencyProvider

from services.gateway.errors import Unprocessable

# the account fields that name another service's record, with the RPC that
# finds it and the error it raises when there is none
ACCOUNT_REFERENCES = {
    "team_id": ("teams", "get_team", "TeamNotFound", "team"),
    "volunteer_id": ("teams", "get_volunteer", "VolunteerNotFound", "volunteer"),
}


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
    for field, (target, method, missing, what) in ACCOUNT_REFERENCES.items():
        if not fields.get(field):
            continue
        try:
            getattr(getattr(service, target), method)(caller, fields[field])
        except RemoteError as exc:
            if exc.exc_type != missing:
                raise
            raise Unprocessable(f"no {what} {fields[field]!r}") from None
    if fields.get("bank_id"):
        banks = service.inventory.list_banks(caller)
        if fields["bank_id"] not in {bank["id"] for bank in banks}:
            raise Unprocessable(f"no bank {fields['bank_id']!r}")
