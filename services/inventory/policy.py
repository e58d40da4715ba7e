"""Who may do what at a bank. Pure rules; the district admin may do anything.

Bank operators act on their own bank (the `bank_id` of their account), staff
on the bank of their community, volunteers on their own account.
"""

from eventing.identity import BANK_OPERATOR, COMMUNITY_STAFF
from services.inventory.exceptions import NotAllowed


def _require(allowed, reason):
    if not allowed:
        raise NotAllowed(reason)


def operates(caller, bank_id):
    return caller.role == BANK_OPERATOR and caller.bank_id == bank_id


def check_admin(caller, what):
    _require(caller.is_admin, f"only the district admin {what}")


def check_keeps_catalogue(caller):
    _require(
        caller.is_admin or caller.role == BANK_OPERATOR,
        "only bank operators and the admin add items",
    )


def check_registers_donors(caller):
    _require(
        caller.is_admin or caller.role in (BANK_OPERATOR, COMMUNITY_STAFF),
        "only staff, bank operators and the admin register donors",
    )


def check_operates(caller, bank):
    _require(
        caller.is_admin or operates(caller, bank.id),
        f"only the operator of {bank.name} and the admin may do this",
    )


def check_may_redeem(caller, bank, volunteer_id):
    _require(
        caller.is_admin
        or operates(caller, bank.id)
        or (caller.volunteer_id is not None and caller.volunteer_id == volunteer_id),
        "a volunteer redeems for themselves; an operator at their own bank",
    )


def check_may_see_redemption(caller, redemption):
    _require(
        caller.is_admin
        or operates(caller, redemption.bank_id)
        or caller.volunteer_id == redemption.volunteer_id,
        "only the volunteer, the bank's operator and the admin see this redemption",
    )


def check_may_distribute(caller, bank):
    _require(
        caller.is_admin
        or operates(caller, bank.id)
        or caller.is_staff_of(bank.community),
        f"only the operator of {bank.name} and staff of {bank.community} give goods",
    )


def check_may_see_bank_records(caller, bank):
    _require(
        caller.is_admin
        or operates(caller, bank.id)
        or caller.is_staff_of(bank.community),
        f"only the operator of {bank.name}, staff of {bank.community} and the admin"
        " see its records",
    )


def visible_bank_filter(caller):
    """What a report may cover: None for every bank, else ('bank', id) or
    ('community', name)."""
    if caller.is_admin:
        return None
    if caller.role == BANK_OPERATOR:
        return ("bank", caller.bank_id)
    if caller.role == COMMUNITY_STAFF:
        return ("community", caller.community)
    raise NotAllowed("only the admin, staff and bank operators read reports")
