"""Reports of the banks: donations by donor, stock by bank, redemptions and
distributions by period, and where each donor's goods went (destinations.py).

Each report covers the banks the caller may see: the admin every bank, staff
their community's, an operator their own. Periods are calendar days of the
district, both ends included.
"""

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from services.inventory import catalogue, destinations, policy, stock
from services.inventory.models import (
    COMPLETED,
    Bank,
    Distribution,
    Donation,
    Donor,
    Item,
    Redemption,
    RedemptionLine,
)
from services.inventory.schemas import REPORT_QUERIES


def banks_in_scope(session, caller, bank_id=None):
    """The banks a report may cover, by id."""
    if bank_id is not None:
        bank = catalogue.get_bank(session, bank_id)
        policy.check_may_see_bank_records(caller, bank)
        return {bank.id: bank}
    query = select(Bank).order_by(Bank.name)
    scope = policy.visible_bank_filter(caller)
    if scope is not None:
        column = Bank.id if scope[0] == "bank" else Bank.community
        query = query.where(column == scope[1])
    return {bank.id: bank for bank in session.scalars(query)}


def _items(session):
    return {item.id: item for item in session.scalars(select(Item))}


def donations(session, banks, start, end, donor_id=None):
    """Per donor: their donations in the period, with receipts and item totals,
    for the thank-you letters."""
    query = (
        select(Donation)
        .where(
            Donation.bank_id.in_(banks),
            Donation.donated_on >= start,
            Donation.donated_on <= end,
        )
        .order_by(Donation.donated_on, Donation.receipt_no)
    )
    if donor_id is not None:
        query = query.where(Donation.donor_id == donor_id)
    by_donor = defaultdict(list)
    for donation in session.scalars(query):
        by_donor[donation.donor_id].append(donation)
    donors = {
        d.id: d for d in session.scalars(select(Donor).where(Donor.id.in_(by_donor)))
    }
    items = _items(session)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "donors": [
            _donor_summary(donors[d], given, items)
            for d, given in sorted(by_donor.items(), key=lambda kv: donors[kv[0]].name)
        ],
    }


def _donor_summary(donor, given, items):
    totals = defaultdict(int)
    for donation in given:
        for line in donation.lines:
            totals[line.item_id] += line.quantity
    values = [d.estimated_value for d in given if d.estimated_value is not None]
    return {
        "donor_id": donor.id,
        "name": donor.name,
        "kind": donor.kind,
        "donations": len(given),
        "estimated_value": f"{sum(values):.2f}" if values else None,
        "receipts": [
            {
                "receipt_no": d.receipt_no,
                "donated_on": d.donated_on.isoformat(),
                "bank_id": d.bank_id,
            }
            for d in given
        ],
        "items": [_item_line(items[i], q) for i, q in sorted(totals.items())],
    }


def _item_line(item, quantity, **more):
    return {
        "item_id": item.id,
        "name": item.name,
        "unit": item.unit,
        "quantity": quantity,
        **more,
    }


def stock_by_bank(session, banks):
    """Each bank's stock, with what pending redemptions hold."""
    report = []
    for bank in banks.values():
        held = stock.reserved(session, bank.id)
        lines = stock.bank_stock(session, bank.id)
        for line in lines:
            line["reserved"] = held.get(line["item_id"], 0)
        report.append(
            {
                "bank_id": bank.id,
                "name": bank.name,
                "community": bank.community,
                "items": lines,
            }
        )
    return {"banks": report}


def redemptions(session, banks, start_at, end_at):
    """Per bank: redemptions requested in the period by status, the points
    completed ones paid and the goods they took."""
    rows = session.execute(
        select(
            Redemption.bank_id,
            Redemption.status,
            func.count(Redemption.id.distinct()),
            func.sum(Redemption.points),
        )
        .where(*_period(Redemption, banks, start_at, end_at, "requested_at"))
        .group_by(Redemption.bank_id, Redemption.status)
    ).all()
    goods = session.execute(
        select(
            Redemption.bank_id,
            RedemptionLine.item_id,
            func.sum(RedemptionLine.quantity),
        )
        .join(RedemptionLine)
        .where(
            *_period(Redemption, banks, start_at, end_at, "requested_at"),
            Redemption.status == COMPLETED,
        )
        .group_by(Redemption.bank_id, RedemptionLine.item_id)
    ).all()
    items = _items(session)
    report = {b: {"bank_id": b, "counts": {}, "points": 0, "items": []} for b in banks}
    for bank_id, status, count, points in rows:
        report[bank_id]["counts"][status] = count
        if status == COMPLETED:
            report[bank_id]["points"] = int(points)
    for bank_id, item_id, quantity in goods:
        report[bank_id]["items"].append(_item_line(items[item_id], int(quantity)))
    return {"banks": list(report.values())}


def _period(model, banks, start_at, end_at, column):
    at = getattr(model, column)
    return (model.bank_id.in_(banks), at >= start_at, at < end_at)


def distributions(session, banks, start_at, end_at):
    """Per bank: the period's distributions, each with its family, reason and
    approver, and the goods given in total."""
    given = session.scalars(
        select(Distribution)
        .where(*_period(Distribution, banks, start_at, end_at, "distributed_at"))
        .order_by(Distribution.distributed_at)
    ).all()
    items = _items(session)
    report = {b: _empty_distributions(b) for b in banks}
    for d in given:
        entry = report[d.bank_id]
        entry["count"] += 1
        entry["families"].add((d.family_community, d.family_name))
        for line in d.lines:
            entry["items"][line.item_id] += line.quantity
        entry["distributions"].append(_distribution_view(d))
    for entry in report.values():
        entry["families"] = len(entry["families"])
        entry["items"] = [
            _item_line(items[i], q) for i, q in sorted(entry["items"].items())
        ]
    return {"banks": list(report.values())}


def _empty_distributions(bank_id):
    return {
        "bank_id": bank_id,
        "count": 0,
        "families": set(),
        "items": defaultdict(int),
        "distributions": [],
    }


def _distribution_view(distribution):
    return {
        "id": distribution.id,
        "at": stock_time(distribution.distributed_at),
        "family": {
            "name": distribution.family_name,
            "community": distribution.family_community,
        },
        "reason": distribution.reason,
        "approved_by": distribution.approved_by,
        "lines": [
            {"item_id": line.item_id, "quantity": line.quantity}
            for line in distribution.lines
        ],
    }


def stock_time(moment):
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _day_bounds(params, zone):
    start = datetime.combine(params["start"], time.min, tzinfo=zone)
    end = datetime.combine(params["end"] + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def _dated(report, params, zone):
    def run(session, banks):
        answer = report(session, banks, *_day_bounds(params, zone))
        return {
            "from": params["start"].isoformat(),
            "to": params["end"].isoformat(),
            **answer,
        }

    return run


def run(session, caller, name, query, zone):
    """Load the report's query, narrow it to the caller's banks, and run it."""
    params = REPORT_QUERIES[name]().load(query)
    banks = banks_in_scope(session, caller, params.pop("bank_id"))
    reports = {
        "donations": lambda s, b: donations(s, b, **params),
        "stock": stock_by_bank,
        "redemptions": _dated(redemptions, params, zone),
        "distributions": _dated(distributions, params, zone),
        "destinations": lambda s, b: destinations.report(s, b, **params),
    }
    return reports[name](session, banks)
