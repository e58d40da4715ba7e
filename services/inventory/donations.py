"""Donations: goods in, a receipt number out, the stock raised at once.

The stock rises in the transaction that records the donation and emits
DonationReceived, so a receipt never exists without its stock. Receipt
numbers come from one counter row per year, incremented in place: two
donations recorded at once wait on that row and get consecutive numbers.
"""

import logging

from sqlalchemy import update

from services.inventory import catalogue, policy, stock
from services.inventory.exceptions import DonationNotFound
from services.inventory.models import (
    DONATION,
    Donation,
    DonationLine,
    ReceiptCounter,
)

logger = logging.getLogger(__name__)

RECEIPT_PREFIX = "JZ"


def next_receipt_no(session, year):
    """`JZ2026-000123`: the year's next number, unique district-wide."""
    session.execute(
        stock.dialect_insert(session)(ReceiptCounter)
        .values(year=year, last=0)
        .on_conflict_do_nothing()
    )
    number = session.execute(
        update(ReceiptCounter)
        .where(ReceiptCounter.year == year)
        .values(last=ReceiptCounter.last + 1)
        .returning(ReceiptCounter.last)
    ).scalar_one()
    return f"{RECEIPT_PREFIX}{year}-{number:06d}"


def record_donation(uow, caller, bank_id, fields, today):
    """Record a donation at a bank and stock its goods; emits DonationReceived."""
    session = uow.session
    bank = catalogue.get_bank(session, bank_id)
    policy.check_operates(caller, bank)
    donation_id = uow.new_id()
    done = session.get(Donation, donation_id)
    if done is not None:
        logger.info("donation recorded before donation_id=%s", donation_id)
        return done
    donor = catalogue.get_donor(session, fields["donor_id"])
    items = catalogue.items_for(session, fields["lines"])
    donation = Donation(
        id=donation_id,
        receipt_no=next_receipt_no(session, today.year),
        bank_id=bank.id,
        donor_id=donor.id,
        donated_on=fields.get("donated_on") or today,
        estimated_value=fields.get("estimated_value"),
        recorded_by=caller.user_id,
        recorded_at=stock.now(),
    )
    lines = catalogue.merged(fields["lines"])
    donation.lines = [DonationLine(item_id=i, quantity=q) for i, q in lines]
    session.add(donation)
    session.flush()
    for item_id, quantity in lines:
        stock.add(
            uow,
            bank.id,
            items[item_id],
            quantity,
            donor_id=donor.id,
            donation_id=donation.id,
            kind=DONATION,
            ref_id=donation.id,
            by=caller.user_id,
        )
    _announce(uow, donation, lines)
    return donation


def _announce(uow, donation, lines):
    uow.emit(
        "DonationReceived",
        {
            "donation_id": donation.id,
            "receipt_no": donation.receipt_no,
            "bank_id": donation.bank_id,
            "donor_id": donation.donor_id,
            "donated_on": donation.donated_on,
            "lines": [{"item_id": i, "quantity": q} for i, q in lines],
            "estimated_value": donation.estimated_value,
        },
        subject=donation.id,
    )
    logger.info(
        "donation received donation_id=%s receipt_no=%s bank_id=%s donor_id=%s",
        donation.id,
        donation.receipt_no,
        donation.bank_id,
        donation.donor_id,
    )


def get_donation(session, caller, donation_id):
    donation = session.get(Donation, donation_id)
    if donation is None:
        raise DonationNotFound(f"no donation {donation_id}")
    policy.check_may_see_bank_records(
        caller, catalogue.get_bank(session, donation.bank_id)
    )
    return donation


def donation_view(session, donation):
    """The donation as its receipt shows it."""
    bank = catalogue.get_bank(session, donation.bank_id)
    donor = catalogue.get_donor(session, donation.donor_id)
    items = catalogue.items_for(
        session, [{"item_id": line.item_id} for line in donation.lines]
    )
    value = donation.estimated_value
    return {
        "id": donation.id,
        "receipt_no": donation.receipt_no,
        "bank": {"id": bank.id, "name": bank.name, "community": bank.community},
        "donor": {"id": donor.id, "name": donor.name, "kind": donor.kind},
        "donated_on": donation.donated_on.isoformat(),
        "estimated_value": None if value is None else f"{value:.2f}",
        "lines": [
            {
                "item_id": line.item_id,
                "name": items[line.item_id].name,
                "unit": items[line.item_id].unit,
                "quantity": line.quantity,
            }
            for line in donation.lines
        ],
    }


def receipt_text(view):
    """The receipt to print for the donor, in Chinese, one line per item."""
    lines = [
        f"{view['bank']['name']} 捐赠收据",
        f"社区：{view['bank']['community']}",
        f"收据编号：{view['receipt_no']}",
        f"捐赠人：{view['donor']['name']}",
        f"捐赠日期：{view['donated_on']}",
        "",
        *(
            f"  {line['name']}  {line['quantity']} {line['unit']}"
            for line in view["lines"]
        ),
    ]
    if view["estimated_value"] is not None:
        lines += ["", f"估价：人民币 {view['estimated_value']} 元"]
    lines += ["", "感谢您对社区互助事业的支持！", ""]
    return "\n".join(lines)
