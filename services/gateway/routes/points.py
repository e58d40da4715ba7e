"""Points beyond one's own statement: leaderboards, rates and the district's
corrections."""

from services.gateway.api import api
from services.gateway.responses import (
    LeaderboardSchema,
    RateListSchema,
    RateSchema,
    TransferSchema,
)
from services.gateway.routes import caller_of, plain
from services.points.schemas import (
    AdjustPointsSchema,
    LeaderboardQuerySchema,
    ReverseTransferSchema,
    SetRateSchema,
)


class PointsRoutes:
    @api(
        "GET",
        "/api/points/leaderboard",
        query=LeaderboardQuerySchema,
        response=LeaderboardSchema,
    )
    def leaderboard(self, request):
        """Points earned in a period by volunteer, team or community."""
        query = plain(LeaderboardQuerySchema, request.query)
        return self.points.leaderboard(caller_of(request), query)

    @api("GET", "/api/points/rates", response=RateListSchema)
    def list_rates(self, request):
        """Every rate per category with the day it takes effect."""
        return self.points.list_rates(caller_of(request))

    @api(
        "POST",
        "/api/points/rates",
        body=SetRateSchema,
        response=RateSchema,
        status=201,
        idempotent=True,
        errors=(422,),
    )
    def set_rate(self, request):
        """Set a category's rate from a future day (admin): 201, the rate."""
        body = plain(SetRateSchema, request.body)
        return self.points.set_rate(caller_of(request), body)

    @api(
        "POST",
        "/api/points/transfers/<string:transfer_id>/reversal",
        body=ReverseTransferSchema,
        response=TransferSchema,
        status=201,
        idempotent=True,
        errors=(409,),
    )
    def reverse_transfer(self, request, transfer_id):
        """Reverse a ledger entry with a reason (admin): 201, the new entry."""
        body = plain(ReverseTransferSchema, request.body)
        return self.points.reverse_transfer(caller_of(request), transfer_id, body)

    @api(
        "POST",
        "/api/points/adjustments",
        body=AdjustPointsSchema,
        response=TransferSchema,
        status=201,
        idempotent=True,
        errors=(404, 409),
    )
    def adjust_points(self, request):
        """Give or take points with a reason (admin): 201, the new entry."""
        body = plain(AdjustPointsSchema, request.body)
        return self.points.adjust_points(caller_of(request), body)
