"""Reading CSV exported by spreadsheets: decoding, records with their line
numbers, and parsers that turn a cell into a value or say what is wrong."""

import codecs
import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime

from services.teams import hours
from services.teams.schemas import PHONE_PATTERN

CODE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
PHONE = re.compile(PHONE_PATTERN)
LIST_SEPARATORS = re.compile(r"[、;；,，|]")


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    reason: str

    def __str__(self):
        return f"{self.file}:{self.line}: {self.reason}"


def decode(data, encoding=None):
    """The text of a file: UTF-8 (with or without BOM), else GB18030; or in
    `encoding` when one is given (a UTF-8 BOM is dropped either way)."""
    if encoding:
        if codecs.lookup(encoding).name == "utf-8":
            encoding = "utf-8-sig"
        return data.decode(encoding)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


class Row:
    """One CSV record's values, parsed column by column, problems collected."""

    def __init__(self, raw):
        self.values = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        self.errors = ["more fields than the header names"] if None in raw else []

    def get(self, column, parse=None, required=False, default=None):
        text = self.values.get(column, "")
        if not text:
            if required:
                self.errors.append(f"{column}: required")
            return default
        try:
            return parse(text) if parse else text
        except ValueError as exc:
            self.errors.append(f"{column}: {exc}")
            return default


def records(text, columns, optional):
    """The header's problem (or None) and each record as (line, Row)."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [c for c in columns if c not in header and c not in optional]
    unknown = [c for c in header if c not in columns]
    if missing or unknown:
        problem = "; ".join(
            [f"missing column {c}" for c in missing]
            + [f"unknown column {c!r}" for c in unknown]
        )
        return problem, []
    return None, ((reader.line_num, Row(raw)) for raw in reader)


def code(text):
    if not CODE.match(text):
        raise ValueError("letters, digits and ._:- only, at most 64")
    return text


def length(limit):
    def check(text):
        if len(text) > limit:
            raise ValueError(f"longer than {limit} characters")
        return text

    return check


def phone(text):
    if not PHONE.match(text):
        raise ValueError("not a phone number")
    return text


def day(text):
    try:
        return datetime.strptime(re.sub(r"[/.]", "-", text), "%Y-%m-%d").date()
    except ValueError:
        raise ValueError("not a date like 2024-03-05") from None


def labels(limit):
    def parse(text):
        found = [part.strip() for part in LIST_SEPARATORS.split(text) if part.strip()]
        if len(found) > limit or any(len(label) > 100 for label in found):
            raise ValueError(f"at most {limit} labels of 100 characters")
        return list(dict.fromkeys(found))

    return parse


def choice(words):
    """A parser for one of `words` (a mapping of what people write to a value)."""

    def parse(text):
        try:
            return words[text.lower()]
        except KeyError:
            choices = ", ".join(sorted(set(words.values())))
            raise ValueError(f"{text!r} is not one of {choices}") from None

    return parse


def slots(text):
    try:
        return hours.parse(text)
    except hours.InvalidHours as exc:
        raise ValueError(str(exc)) from None
