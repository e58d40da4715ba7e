"""Volunteers: registered by staff or applying, approved, searched, their
service record and their points."""

from werkzeug.wrappers import Response

from services.gateway import accounts
from services.gateway.api import api
from services.gateway.responses import (
    PointsSchema,
    ServiceRecordSchema,
    VolunteerPageSchema,
    VolunteerSchema,
)
from services.gateway.routes import caller_of, plain
from services.orders.schemas import NoBodySchema
from services.points.schemas import StatementQuerySchema
from services.teams.schemas import (
    ApplyVolunteerSchema,
    RegisterVolunteerSchema,
    RejectVolunteerSchema,
    ServiceRecordQuerySchema,
    VolunteerQuerySchema,
)

SERVICE_RECORD = {
    "application/json": {"schema": ServiceRecordSchema},
    "text/csv": {"schema": {"type": "string"}},
}


def csv_response(text, filename):
    return Response(
        text.encode("utf-8"),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


class VolunteerRoutes:
    @api(
        "POST",
        "/api/volunteers",
        body=RegisterVolunteerSchema,
        response=VolunteerSchema,
        status=201,
        idempotent=True,
        errors=(409, 422),
    )
    def register_volunteer(self, request):
        """Register a volunteer; VolunteerRegistered follows."""
        return self.teams.register_volunteer(caller_of(request), request.body)

    @api(
        "POST",
        "/api/volunteers/apply",
        body=ApplyVolunteerSchema,
        response=VolunteerSchema,
        status=201,
        idempotent=True,
        errors=(409, 422),
    )
    def apply_volunteer(self, request):
        """Apply to volunteer; pending until staff of the community approve."""
        return self.teams.apply_volunteer(caller_of(request), request.body)

    @api(
        "POST",
        "/api/volunteers/<string:volunteer_id>/approve",
        body=NoBodySchema,
        response=VolunteerSchema,
        errors=(409,),
    )
    def approve_volunteer(self, request, volunteer_id):
        """Approve an application and link the applicant's account;
        VolunteerRegistered follows."""
        volunteer = self.teams.approve_volunteer(caller_of(request), volunteer_id)
        if volunteer["user_id"]:
            with self.db.transaction() as uow:
                accounts.link_volunteer(uow.session, volunteer["user_id"], volunteer_id)
        return volunteer

    @api(
        "POST",
        "/api/volunteers/<string:volunteer_id>/reject",
        body=RejectVolunteerSchema,
        response=VolunteerSchema,
        errors=(409,),
    )
    def reject_volunteer(self, request, volunteer_id):
        """Turn an application down with a reason."""
        return self.teams.reject_volunteer(
            caller_of(request), volunteer_id, request.body
        )

    @api(
        "GET",
        "/api/volunteers",
        query=VolunteerQuerySchema,
        response=VolunteerPageSchema,
        errors=(404,),
    )
    def list_volunteers(self, request):
        """Volunteers by keyword, community and team, a page at a time."""
        return self.teams.list_volunteers(caller_of(request), request.query)

    @api("GET", "/api/volunteers/<string:volunteer_id>", response=VolunteerSchema)
    def get_volunteer(self, request, volunteer_id):
        """One volunteer (never their ID-card number)."""
        return self.teams.get_volunteer(caller_of(request), volunteer_id)

    @api(
        "GET",
        "/api/volunteers/<string:volunteer_id>/service-record",
        query=ServiceRecordQuerySchema,
        response=SERVICE_RECORD,
    )
    def get_service_record(self, request, volunteer_id):
        """Every order the volunteer served and totals by year; `?format=csv`
        for a spreadsheet."""
        if request.query["format"] == "json":
            return self.teams.get_service_record(caller_of(request), volunteer_id)
        text = self.teams.get_service_record_csv(caller_of(request), volunteer_id)
        return csv_response(text, f"service-record-{volunteer_id}.csv")

    @api(
        "GET",
        "/api/volunteers/<string:volunteer_id>/points",
        query=StatementQuerySchema,
        response=PointsSchema,
    )
    def get_points(self, request, volunteer_id):
        """A volunteer's balance, certified minutes and a page of entries."""
        query = plain(StatementQuerySchema, request.query)
        return self.points.get_points(caller_of(request), volunteer_id, query)
