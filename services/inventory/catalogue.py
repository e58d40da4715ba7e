"""Banks, donors and items: the district's catalogue of the mutual-aid banks."""

import logging
import uuid

from sqlalchemy import select

from services.inventory import policy, stock
from services.inventory.exceptions import (
    BankExists,
    BankNotFound,
    DonorNotFound,
    ItemNotFound,
)
from services.inventory.models import Bank, Donor, Item

logger = logging.getLogger(__name__)


def new_id():
    return str(uuid.uuid4())


def open_bank(session, caller, fields):
    """Open a community's bank (admin); a community has at most one."""
    policy.check_admin(caller, "opens banks")
    bank_id = new_id()
    opened = session.execute(
        stock.dialect_insert(session)(Bank)
        .values(id=bank_id, opened_at=stock.now(), **fields)
        .on_conflict_do_nothing(index_elements=["community"])
    )
    if opened.rowcount != 1:
        raise BankExists(f"{fields['community']} already has a bank")
    logger.info("bank opened bank_id=%s community=%s", bank_id, fields["community"])
    return bank_id


def get_bank(session, bank_id, lock=False):
    bank = session.get(Bank, bank_id, with_for_update=lock)
    if bank is None:
        raise BankNotFound(f"no bank {bank_id}")
    return bank


def list_banks(session):
    banks = session.scalars(select(Bank).order_by(Bank.name))
    return [{"id": b.id, "name": b.name, "community": b.community} for b in banks]


def register_donor(session, caller, fields):
    policy.check_registers_donors(caller)
    donor = Donor(
        id=new_id(), created_by=caller.user_id, created_at=stock.now(), **fields
    )
    session.add(donor)
    logger.info("donor registered donor_id=%s kind=%s", donor.id, donor.kind)
    return donor


def get_donor(session, donor_id):
    donor = session.get(Donor, donor_id)
    if donor is None:
        raise DonorNotFound(f"no donor {donor_id}")
    return donor


def list_donors(session):
    donors = session.scalars(select(Donor).order_by(Donor.name))
    return [{"id": d.id, "name": d.name, "kind": d.kind} for d in donors]


def add_item(session, caller, fields):
    policy.check_keeps_catalogue(caller)
    item = Item(id=new_id(), created_at=stock.now(), **fields)
    session.add(item)
    logger.info("item added item_id=%s free_only=%s", item.id, item.free_only)
    return item


def list_items(session):
    return [item_view(i) for i in session.scalars(select(Item).order_by(Item.name))]


def item_view(item):
    return {
        "id": item.id,
        "name": item.name,
        "unit": item.unit,
        "category": item.category,
        "points_price": item.points_price,
        "free_only": item.free_only,
        "low_stock_threshold": item.low_stock_threshold,
    }


def items_for(session, lines):
    """The items the lines name, by id; ItemNotFound names any unknown one."""
    ids = {line["item_id"] for line in lines}
    items = {i.id: i for i in session.scalars(select(Item).where(Item.id.in_(ids)))}
    unknown = sorted(ids - set(items))
    if unknown:
        raise ItemNotFound(f"no item {', '.join(unknown)}")
    return items


def merged(lines):
    """Lines with one entry per item (quantities added), in item order, the
    order every transaction locks stock rows in."""
    totals = {}
    for line in lines:
        totals[line["item_id"]] = totals.get(line["item_id"], 0) + line["quantity"]
    return sorted(totals.items())
