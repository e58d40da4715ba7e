"""Who is calling: the identity the gateway passes with every RPC command.

The gateway authenticates people; each service decides what the caller may
do with its own data (their community, team, order or account).
"""

from dataclasses import asdict, dataclass

RESIDENT = "resident"
VOLUNTEER = "volunteer"
TEAM_LEADER = "team_leader"
COMMUNITY_STAFF = "community_staff"
BANK_OPERATOR = "bank_operator"
ADMIN = "admin"
ROLES = (RESIDENT, VOLUNTEER, TEAM_LEADER, COMMUNITY_STAFF, BANK_OPERATOR, ADMIN)
# the district admin's account, made on the gateway's first start
ADMIN_USERNAME = "admin"


@dataclass(frozen=True)
class Caller:
    user_id: str
    role: str
    community: str | None = None
    team_id: str | None = None
    volunteer_id: str | None = None
    bank_id: str | None = None

    @classmethod
    def from_dict(cls, data):
        return cls(**{key: data.get(key) for key in cls.__dataclass_fields__})

    def to_dict(self):
        return asdict(self)

    @property
    def is_admin(self):
        return self.role == ADMIN

    def is_staff_of(self, community):
        return self.role == COMMUNITY_STAFF and self.community == community

    def leads(self, team_id):
        return (
            self.role == TEAM_LEADER and team_id is not None and self.team_id == team_id
        )
