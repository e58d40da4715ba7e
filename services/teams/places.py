"""The district's places: streets, their communities and the stations in them."""

import logging

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.teams import policy
from services.teams.exceptions import PlaceConflict, StationNotFound, UnknownPlace
from services.teams.models import Community, Station, Street
from services.teams.upsert import insert_missing

logger = logging.getLogger(__name__)


def ensure_place(session, street, community):
    """Add the street and community if new; a community has one street."""
    insert_missing(session, Street, [{"name": street}])
    insert_missing(session, Community, [{"name": community, "street": street}])
    known = session.get(Community, community)
    if known.street != street:
        raise PlaceConflict(f"{community} belongs to {known.street}, not {street}")


def community(session, name):
    found = session.get(Community, name)
    if found is None:
        raise UnknownPlace(f"community {name!r} is not one of the district's")
    return found


def station_in(session, station_id, community_name):
    """The station, which must be in the team's home community."""
    station = session.get(Station, station_id)
    if station is None:
        raise UnknownPlace(f"station {station_id!r} is not one of the district's")
    if station.community != community_name:
        raise UnknownPlace(f"station {station_id!r} is not in {community_name}")
    return station


def put_station(uow, caller, station_id, fields):
    """Add or change a station, and its street and community if they are new."""
    policy.check_places(caller)
    ensure_place(uow.session, fields["street"], fields["community"])
    station = uow.session.get(Station, station_id) or Station(id=station_id)
    station.name = fields["name"]
    station.community = fields["community"]
    station.address = fields["address"]
    station.opening_hours = fields["opening_hours"]
    uow.session.add(station)
    try:
        uow.session.flush()
    except IntegrityError:
        raise PlaceConflict(f"station {station_id} was added meanwhile") from None
    logger.info(
        "station kept station_id=%s community=%s", station_id, fields["community"]
    )
    return station_view(station, fields["street"])


def station_view(station, street):
    return {
        "id": station.id,
        "name": station.name,
        "street": street,
        "community": station.community,
        "address": station.address,
        "opening_hours": station.opening_hours,
    }


def get_station(session, station_id):
    station = session.get(Station, station_id)
    if station is None:
        raise StationNotFound(f"no station {station_id}")
    return station_view(station, session.get(Community, station.community).street)


def list_stations(session, community_name=None):
    query = select(Station, Community.street).join(
        Community, Community.name == Station.community
    )
    if community_name:
        query = query.where(Station.community == community_name)
    rows = session.execute(query.order_by(Station.community, Station.name, Station.id))
    return {"items": [station_view(station, street) for station, street in rows]}


def tree(session, district):
    """The district, its streets and each street's communities with their
    number of stations."""
    stations = dict(
        session.execute(
            select(Station.community, func.count()).group_by(Station.community)
        ).all()
    )
    streets = {name: [] for name in session.scalars(select(Street.name))}
    for place in session.scalars(select(Community)):
        streets[place.street].append(
            {"name": place.name, "stations": stations.get(place.name, 0)}
        )
    return {
        "district": district,
        "streets": [
            {"name": name, "communities": sorted(found, key=lambda c: c["name"])}
            for name, found in sorted(streets.items())
        ],
    }


def street_of(session, community_name):
    found = session.get(Community, community_name)
    return found.street if found else None
