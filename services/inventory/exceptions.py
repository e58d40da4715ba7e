"""What the inventory service refuses, and why. The gateway maps these by name."""


class InventoryError(Exception):
    """Root of every error the inventory service raises on purpose."""


class BankNotFound(InventoryError):
    """No bank has this id."""


class DonorNotFound(InventoryError):
    """No donor has this id."""


class ItemNotFound(InventoryError):
    """No item has this id."""


class DonationNotFound(InventoryError):
    """No donation has this id."""


class RedemptionNotFound(InventoryError):
    """No redemption has this id."""


class NotAllowed(InventoryError):
    """The caller's role or scope does not cover this bank or redemption."""


class BankExists(InventoryError):
    """The community already has a bank."""


class OutOfStock(InventoryError):
    """The bank has fewer units of an item than asked for."""


class ItemNotRedeemable(InventoryError):
    """The item is only ever given free, never redeemed for points."""


class FamilyLimitReached(InventoryError):
    """The family already had this month's allowed distributions."""


class CountBelowReserved(InventoryError):
    """A stock-take counted fewer units than pending redemptions hold."""
