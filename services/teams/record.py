"""A volunteer's service record: every completed order they served, kept from
the orders service's OrderCompleted events. It is what a community certifies
when a volunteer asks for proof of service."""

import csv
import io
from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import select

from services.teams import policy
from services.teams.exceptions import VolunteerNotFound
from services.teams.models import ServiceEntry, Team, Volunteer
from services.teams.upsert import insert_missing

CSV_COLUMNS = ("order_id", "date", "category", "team_id", "team", "minutes")


def record_completed(session, data):
    """Add each volunteer's confirmed minutes of a completed order, once."""
    completed_at = datetime.fromisoformat(data["completed_at"])
    rows = [
        {
            "order_id": data["order_id"],
            "volunteer_id": volunteer_id,
            "team_id": data["team_id"],
            "category": data["category"],
            "community": data["community"],
            "minutes": minutes,
            "completed_at": completed_at,
        }
        for volunteer_id, minutes in sorted(data["minutes"].items())
    ]
    # the order and volunteer are the key: a second event completing the same
    # order adds nothing
    insert_missing(session, ServiceEntry, rows)


def _local(moment, zone):
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone)


def service_record(session, caller, volunteer_id, zone):
    """Every order served with its local date, and totals by year."""
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None:
        raise VolunteerNotFound(f"no volunteer {volunteer_id}")
    policy.check_record(caller, volunteer)
    rows = session.execute(
        select(ServiceEntry, Team.name)
        .outerjoin(Team, Team.id == ServiceEntry.team_id)
        .where(ServiceEntry.volunteer_id == volunteer_id)
        .order_by(ServiceEntry.completed_at, ServiceEntry.order_id)
    ).all()
    entries = [
        {
            "order_id": entry.order_id,
            "date": _local(entry.completed_at, zone).date().isoformat(),
            "category": entry.category,
            "community": entry.community,
            "team_id": entry.team_id,
            "team": team_name,
            "minutes": entry.minutes,
        }
        for entry, team_name in rows
    ]
    return {
        "volunteer_id": volunteer.id,
        "name": volunteer.name,
        "community": volunteer.community,
        "entries": entries,
        "years": totals_by_year(entries),
        "total_minutes": sum(entry["minutes"] for entry in entries),
    }


def totals_by_year(entries):
    orders, minutes = defaultdict(int), defaultdict(int)
    for entry in entries:
        year = int(entry["date"][:4])
        orders[year] += 1
        minutes[year] += entry["minutes"]
    return [
        {"year": year, "orders": orders[year], "minutes": minutes[year]}
        for year in sorted(orders)
    ]


def to_csv(record):
    """The record's entries as CSV, one order a row, with a BOM so that
    spreadsheets open the Chinese text as UTF-8."""
    out = io.StringIO()
    writer = csv.DictWriter(
        out, CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n"
    )
    writer.writeheader()
    writer.writerows(record["entries"])
    return "\ufeff" + out.getvalue()
