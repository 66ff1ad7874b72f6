"""Calendar arithmetic of SPEC §4.1: steps clipped to the end of the month, French formatting,
and the one « today » of the application (the day in France, whatever the server's clock zone)."""
from calendar import monthrange
from datetime import date, datetime
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

PARIS = ZoneInfo("Europe/Paris")

MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)


def today() -> date:
    """Today in France (Europe/Paris): the day every rule, form default and job calls « today ».

    The server may run on UTC: between midnight and 01:00 or 02:00 in Paris, the server's own date
    is still yesterday — a note typed then, dated today, would be refused as « in the future ».
    """
    return datetime.now(PARIS).date()


def add_months(day: date, months: int) -> date:
    """`day + months` calendar months, clipped to the month's end (31 Aug + 6 = 28 Feb).

    The same result as `day + relativedelta(months=months)`, computed directly (the generator and the
    importer call it millions of times; tests/test_foundation.py compares both)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=day.day if day.day <= last else last)


def add_years(day: date, years: int) -> date:
    """`day + years`, clipped (29 Feb + 2 years = 28 Feb)."""
    return add_months(day, 12 * years)


def months_between(start: date, end: date) -> int:
    """Whole calendar months from start to end (the clock's month count), never negative."""
    if end < start:
        return 0
    delta = relativedelta(end, start)
    return delta.years * 12 + delta.months


def age_on(birth: date, day: date) -> int:
    """Age in whole years on a day (a birthday on that day counts)."""
    return relativedelta(day, birth).years


# The dates the application accepts from anyone (forms, query strings, the interchange file):
# a birth in 1900 at the earliest, a planned end or a permit expiry before 2200. Beyond, the
# calendar arithmetic (start + 18 months…) would leave Python's calendar, and no file needs it.
DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2199, 12, 31)


def in_range(day: date) -> bool:
    """A date within DATE_MIN..DATE_MAX."""
    return DATE_MIN <= day <= DATE_MAX


def parse_iso(value: str, bounded: bool = True) -> date:
    """Strict ISO date YYYY-MM-DD within DATE_MIN..DATE_MAX (raises ValueError otherwise).

    `bounded=False` parses any calendar date (the importer, which has its own message for the range).
    """
    if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise ValueError(value)
    day = date.fromisoformat(value)
    if bounded and not in_range(day):
        raise ValueError(value)
    return day


def format_fr(day: date | None, long: bool = False) -> str:
    """A date as the French read it: 05/03/2024, or 5 mars 2024."""
    if day is None:
        return "—"
    if long:
        first = "1er" if day.day == 1 else str(day.day)
        return f"{first} {MONTHS_FR[day.month - 1]} {day.year}"
    return day.strftime("%d/%m/%Y")
