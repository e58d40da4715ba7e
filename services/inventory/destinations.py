"""Where each donor's goods went: the donors' lots, and what drew on them.

Every take of stock records the lots it drew from (oldest first), and a
cancelled redemption's release gives back to the very lots its reservation
drew from, so the draws on a donor's lots say exactly how many of their units
were redeemed, given to families, written off or are held by a pending
redemption; the rest are on the shelf.
"""

from collections import defaultdict

from sqlalchemy import func, select

from services.inventory.models import (
    COMPLETED,
    DISTRIBUTION,
    PENDING,
    RELEASE,
    RESERVATION,
    STOCKTAKE,
    Distribution,
    Donation,
    Donor,
    Item,
    Lot,
    LotDraw,
    Redemption,
    StockMovement,
)

REDEMPTION_FATES = {COMPLETED: "redeemed", PENDING: "reserved"}
FATES = ("donated", "redeemed", "distributed", "written_off", "reserved", "on_shelf")


def report(session, banks, start, end, donor_id=None):
    """Per donor and item, the fate of the goods they gave in the period."""
    lots = _donated_lots(session, banks, start, end, donor_id)
    draws = session.execute(
        select(
            LotDraw.lot_seq,
            StockMovement.kind,
            StockMovement.ref_id,
            func.sum(LotDraw.quantity),
        )
        .join(StockMovement, StockMovement.seq == LotDraw.movement_seq)
        .where(LotDraw.lot_seq.in_(lots))
        .group_by(LotDraw.lot_seq, StockMovement.kind, StockMovement.ref_id)
    ).all()
    tally = _tally(lots, draws, *_fates(session, draws))
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "donors": _by_donor(session, tally),
    }


def _donated_lots(session, banks, start, end, donor_id):
    query = (
        select(Lot)
        .join(Donation, Donation.id == Lot.donation_id)
        .where(
            Lot.bank_id.in_(banks),
            Donation.donated_on >= start,
            Donation.donated_on <= end,
        )
    )
    if donor_id is not None:
        query = query.where(Lot.donor_id == donor_id)
    return {lot.seq: lot for lot in session.scalars(query)}


def _fates(session, draws):
    """What each drawing movement's reference became: a redemption's status or
    a distribution's community."""
    refs = {ref for _, _, ref, _ in draws}
    statuses = session.execute(
        select(Redemption.id, Redemption.status).where(Redemption.id.in_(refs))
    ).all()
    communities = session.execute(
        select(Distribution.id, Distribution.family_community).where(
            Distribution.id.in_(refs)
        )
    ).all()
    return dict(statuses), dict(communities)


def _tally(lots, draws, statuses, communities):
    """donor -> item -> fate -> units; `to:<community>` counts gifts by place."""
    tally = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for lot in lots.values():
        counts = tally[lot.donor_id][lot.item_id]
        counts["donated"] += lot.quantity
        counts["on_shelf"] += lot.remaining
    for lot_seq, kind, ref, quantity in draws:
        lot, units = lots[lot_seq], int(quantity)
        counts = tally[lot.donor_id][lot.item_id]
        # a cancelled redemption's release gave back what it reserved: its
        # status is in no fate, and its draws add up to nothing
        if kind in (RESERVATION, RELEASE) and statuses.get(ref) in REDEMPTION_FATES:
            counts[REDEMPTION_FATES[statuses[ref]]] += units
        elif kind == DISTRIBUTION:
            counts["distributed"] += units
            counts[f"to:{communities[ref]}"] += units
        elif kind == STOCKTAKE:
            counts["written_off"] += units
    return tally


def _by_donor(session, tally):
    donors = {
        d.id: d for d in session.scalars(select(Donor).where(Donor.id.in_(tally)))
    }
    items = {i.id: i for i in session.scalars(select(Item))}
    return [
        {
            "donor_id": donor_id,
            "name": donors[donor_id].name,
            "items": [
                _fate_line(items[item_id], counts)
                for item_id, counts in sorted(per_item.items())
            ],
        }
        for donor_id, per_item in sorted(
            tally.items(), key=lambda kv: donors[kv[0]].name
        )
    ]


def _fate_line(item, counts):
    return {
        "item_id": item.id,
        "name": item.name,
        "unit": item.unit,
        **{fate: counts.get(fate, 0) for fate in FATES},
        "distributed_to": {
            key.removeprefix("to:"): n
            for key, n in sorted(counts.items())
            if key.startswith("to:")
        },
    }
