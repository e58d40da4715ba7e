"""The mutual-aid banks: banks, donors, items, donations, stock, stock-takes,
redemptions, free distribution and the banks' reports."""

from werkzeug.wrappers import Response

from services.gateway.api import api, load_query
from services.gateway.errors import NotFound
from services.gateway.responses import (
    BankListSchema,
    DonationCreatedSchema,
    DonationSchema,
    DonorListSchema,
    IdSchema,
    ItemListSchema,
    RedemptionSchema,
    ReportSchema,
    StockSchema,
    StocktakeResultSchema,
)
from services.gateway.routes import caller_of, plain
from services.inventory.schemas import (
    REPORT_QUERIES,
    AddItemSchema,
    DistributeSchema,
    OpenBankSchema,
    RecordDonationSchema,
    RegisterDonorSchema,
    ReportQuerySchema,
    RequestRedemptionSchema,
    StocktakeSchema,
)

PLAIN_TEXT = {"text/plain": {"schema": {"type": "string"}}}


class BankRoutes:
    @api("GET", "/api/banks", response=BankListSchema)
    def list_banks(self, request):
        """The district's mutual-aid banks."""
        return {"items": self.inventory.list_banks(caller_of(request))}

    @api(
        "POST",
        "/api/banks",
        body=OpenBankSchema,
        response=IdSchema,
        status=201,
        idempotent=True,
        errors=(409, 422),
    )
    def open_bank(self, request):
        """Open a community's bank (admin): 201 `{id}`."""
        caller = caller_of(request)
        self.communities.require(self.teams, caller, request.body["community"])
        body = plain(OpenBankSchema, request.body)
        return self.inventory.open_bank(caller, body)

    @api(
        "POST",
        "/api/donors",
        body=RegisterDonorSchema,
        response=IdSchema,
        status=201,
        idempotent=True,
    )
    def register_donor(self, request):
        """Register a donor (company, public body or individual): 201 `{id}`."""
        body = plain(RegisterDonorSchema, request.body)
        return self.inventory.register_donor(caller_of(request), body)

    @api("GET", "/api/donors", response=DonorListSchema)
    def list_donors(self, request):
        """Every donor, by name."""
        return {"items": self.inventory.list_donors(caller_of(request))}

    @api(
        "POST",
        "/api/items",
        body=AddItemSchema,
        response=IdSchema,
        status=201,
        idempotent=True,
    )
    def add_item(self, request):
        """Add an item to the catalogue: 201 `{id}`."""
        body = plain(AddItemSchema, request.body)
        return self.inventory.add_item(caller_of(request), body)

    @api("GET", "/api/items", response=ItemListSchema)
    def list_items(self, request):
        """Every item with its unit, price and restrictions."""
        return {"items": self.inventory.list_items(caller_of(request))}

    @api(
        "POST",
        "/api/banks/<string:bank_id>/donations",
        body=RecordDonationSchema,
        response=DonationCreatedSchema,
        status=201,
        idempotent=True,
        errors=(422,),
    )
    def record_donation(self, request, bank_id):
        """Record a donation: 201 `{id, receipt_no}`; DonationReceived follows."""
        body = plain(RecordDonationSchema, request.body)
        return self.inventory.record_donation(caller_of(request), bank_id, body)

    @api("GET", "/api/donations/<string:donation_id>", response=DonationSchema)
    def get_donation(self, request, donation_id):
        """A donation with its receipt number, donor and lines."""
        return self.inventory.get_donation(caller_of(request), donation_id)

    @api("GET", "/api/donations/<string:donation_id>/receipt", response=PLAIN_TEXT)
    def donation_receipt(self, request, donation_id):
        """The donation's receipt as plain text, to print for the donor."""
        text = self.inventory.get_donation(caller_of(request), donation_id, True)
        return Response(text, content_type="text/plain; charset=utf-8")

    @api("GET", "/api/banks/<string:bank_id>/stock", response=StockSchema)
    def get_stock(self, request, bank_id):
        """What a bank holds: `{items: [{item_id, name, quantity, points_price}]}`."""
        return self.inventory.get_stock(caller_of(request), bank_id)

    @api(
        "POST",
        "/api/banks/<string:bank_id>/stocktakes",
        body=StocktakeSchema,
        response=StocktakeResultSchema,
        status=201,
        idempotent=True,
        errors=(409, 422),
    )
    def take_stock(self, request, bank_id):
        """Book counted quantities: 201 `{id, lines}`; StockAdjusted follows."""
        body = plain(StocktakeSchema, request.body)
        return self.inventory.take_stock(caller_of(request), bank_id, body)

    @api(
        "POST",
        "/api/redemptions",
        body=RequestRedemptionSchema,
        response=RedemptionSchema,
        status=202,
        idempotent=True,
        errors=(404, 409, 422),
    )
    def request_redemption(self, request):
        """Redeem points for goods: 202 `{id, status: "pending"}`."""
        body = plain(RequestRedemptionSchema, request.body)
        return self.inventory.request_redemption(caller_of(request), body)

    @api("GET", "/api/redemptions/<string:redemption_id>", response=RedemptionSchema)
    def get_redemption(self, request, redemption_id):
        """A redemption's `{id, status, reason?}`: pending, completed or cancelled."""
        return self.inventory.get_redemption(caller_of(request), redemption_id)

    @api(
        "POST",
        "/api/distributions",
        body=DistributeSchema,
        response=IdSchema,
        status=201,
        idempotent=True,
        errors=(404, 409, 422),
    )
    def distribute_goods(self, request):
        """Give goods free to a family: 201 `{id}`; GoodsDistributed follows."""
        caller = caller_of(request)
        family = request.body["family"]["community"]
        self.communities.require(self.teams, caller, family)
        body = plain(DistributeSchema, request.body)
        return self.inventory.distribute(caller, body)

    @api(
        "GET",
        "/api/reports/<string:name>",
        query=ReportQuerySchema,
        response=ReportSchema,
        errors=(400,),
    )
    def bank_report(self, request, name):
        """A bank report: donations, stock, redemptions, distributions or
        destinations (`from` and `to` for all but stock; `bank_id` for all;
        `donor_id` for donations and destinations)."""
        if name not in REPORT_QUERIES:
            raise NotFound(f"no report {name!r}; there are {', '.join(REPORT_QUERIES)}")
        # the route's schema took every parameter any report knows; this
        # report's own says which it needs and refuses the others
        schema = REPORT_QUERIES[name]
        query = plain(schema, load_query(request, schema()))
        return self.inventory.report(caller_of(request), name, query)
