"""Free distribution of goods to families in difficulty.

A family may receive goods a limited number of times a month (the district's
`DISTRIBUTIONS_PER_FAMILY_PER_MONTH`, 0 for no limit). The count is one row
per family and month raised by a guarded update (`WHERE count < limit`) in
the distribution's transaction, so two distributions for one family at once
cannot both pass the limit, and one that fails for want of stock gives its
place back with the rollback.
"""

import logging

from sqlalchemy import update

from services.inventory import catalogue, policy, stock
from services.inventory.exceptions import FamilyLimitReached
from services.inventory.models import (
    DISTRIBUTION,
    Distribution,
    DistributionLine,
    FamilyMonth,
)

logger = logging.getLogger(__name__)


def family_key(family):
    """One family however its name is typed: trimmed, spaces folded, case-free."""
    name = " ".join(family["name"].split()).casefold()
    community = " ".join(family["community"].split()).casefold()
    return f"{community}/{name}"


def _count_visit(session, key, month, limit):
    session.execute(
        stock.dialect_insert(session)(FamilyMonth)
        .values(family_key=key, month=month, count=0)
        .on_conflict_do_nothing()
    )
    counted = session.execute(
        update(FamilyMonth)
        .where(
            FamilyMonth.family_key == key,
            FamilyMonth.month == month,
            FamilyMonth.count < limit,
        )
        .values(count=FamilyMonth.count + 1)
        .returning(FamilyMonth.count)
    ).scalar_one_or_none()
    if counted is None:
        raise FamilyLimitReached(
            f"this family already received goods {limit} times in {month}"
        )


def distribute(uow, caller, fields, limit, month):
    """Give goods free to a family; emits GoodsDistributed."""
    session = uow.session
    bank = catalogue.get_bank(session, fields["bank_id"])
    policy.check_may_distribute(caller, bank)
    distribution_id = uow.new_id()
    done = session.get(Distribution, distribution_id)
    if done is not None:
        logger.info("goods distributed before distribution_id=%s", distribution_id)
        return done
    family = fields["family"]
    if limit:
        _count_visit(session, family_key(family), month, limit)
    items = catalogue.items_for(session, fields["lines"])
    lines = catalogue.merged(fields["lines"])
    distribution = Distribution(
        id=distribution_id,
        bank_id=bank.id,
        family_name=family["name"],
        family_community=family["community"],
        reason=fields["reason"],
        approved_by=fields.get("approved_by") or caller.user_id,
        recorded_by=caller.user_id,
        distributed_at=stock.now(),
        month=month,
        lines=[DistributionLine(item_id=i, quantity=q) for i, q in lines],
    )
    session.add(distribution)
    session.flush()
    for item_id, quantity in lines:
        stock.take(
            uow,
            bank.id,
            items[item_id],
            quantity,
            kind=DISTRIBUTION,
            ref_id=distribution.id,
            by=caller.user_id,
            reason=fields["reason"],
        )
    _announce(uow, distribution, lines)
    return distribution


def _announce(uow, distribution, lines):
    # the family's name stays in the bank's records: the event goes to every
    # system of the district, the big screen included
    uow.emit(
        "GoodsDistributed",
        {
            "distribution_id": distribution.id,
            "bank_id": distribution.bank_id,
            "community": distribution.family_community,
            "reason": distribution.reason,
            "approved_by": distribution.approved_by,
            "lines": [{"item_id": i, "quantity": q} for i, q in lines],
        },
        subject=distribution.id,
    )
    logger.info(
        "goods distributed distribution_id=%s bank_id=%s lines=%d",
        distribution.id,
        distribution.bank_id,
        len(lines),
    )
