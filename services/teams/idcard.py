"""Resident ID-card numbers: checked, normalised, and kept only as a keyed hash.

The directory must find a second registration of the same person without
holding numbers anyone could read back. An HMAC with a secret from the
environment does both: equal numbers give equal hashes, and without the
secret a hash cannot be turned back into a number by trying every birth date
and sequence, as a plain hash could.
"""

import hashlib
import hmac
import re

PATTERN = re.compile(r"^\d{17}[\dX]$")
# GB 11643-1999: the last character is an ISO 7064 MOD 11-2 check
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"


class InvalidIdCard(ValueError):
    """Not an 18-character resident ID-card number with a correct check."""


def check_character(first17):
    total = sum(
        int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True)
    )
    return CHECK_CHARACTERS[total % 11]


def normalise(number):
    """The number without spaces, with an upper-case X; raises InvalidIdCard."""
    number = re.sub(r"\s+", "", str(number)).upper()
    if not PATTERN.match(number):
        raise InvalidIdCard("an ID-card number has 17 digits and a digit or X")
    if check_character(number[:17]) != number[17]:
        raise InvalidIdCard("the ID-card number's check character is wrong")
    return number


class Hasher:
    """Turns ID-card numbers into the keyed hashes the directory stores."""

    def __init__(self, secret):
        if not secret:
            raise ValueError("an ID-card hasher needs a secret")
        self._key = str(secret).encode("utf-8")

    def __call__(self, number):
        normalised = normalise(number).encode("ascii")
        return hmac.new(self._key, normalised, hashlib.sha256).hexdigest()
