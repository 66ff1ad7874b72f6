"""Rounding of the published figures: means one decimal, shares four, half away from zero (exact decimals)."""
from decimal import ROUND_HALF_UP, Decimal, localcontext

ONE_DECIMAL = Decimal("0.1")
FOUR_DECIMALS = Decimal("0.0001")
CENTS = Decimal("0.01")
DAYS_PER_MONTH = Decimal("30.4375")


def to_decimal(value) -> Decimal:
    """A number as an exact decimal (a float through its shortest repr, so 0.1 stays 0.1)."""
    if value is None:
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def share(numerator, denominator) -> float | None:
    """numerator / denominator with four decimals (half up); None without a denominator."""
    den = to_decimal(denominator)
    if den == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 60
        return float((to_decimal(numerator) / den).quantize(FOUR_DECIMALS, rounding=ROUND_HALF_UP))


def mean_months(total_days, count) -> float | None:
    """Mean duration in months (days / 30.4375) with one decimal; None when nothing to average."""
    if not count:
        return None
    with localcontext() as ctx:
        ctx.prec = 60
        value = to_decimal(total_days) / (Decimal(count) * DAYS_PER_MONTH)
        return float(value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP))


def money(value) -> Decimal:
    """An amount rounded to the cent (sums of floats lose their noise)."""
    return to_decimal(value).quantize(CENTS, rounding=ROUND_HALF_UP)


def hours(value) -> Decimal:
    """Hours, rounded to the hundredth."""
    return to_decimal(value).quantize(CENTS, rounding=ROUND_HALF_UP)


def as_number(value: Decimal | int | None) -> int | float:
    """A JSON number: an int when whole (0 for nothing), a float otherwise."""
    if value is None:
        return 0
    value = to_decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def count(value) -> int:
    """A count from an aggregate (None when no row)."""
    return int(value or 0)


def median(counts) -> float | None:
    """The median of the values given as (value, how many times) pairs, with one decimal (the mean of the two
    middle values when their number is even, half away from zero); None when there is none.

    The database groups the values (GROUP BY value): Python reads one pair per distinct value, never every row.
    """
    pairs = sorted((int(value), int(n)) for value, n in counts if value is not None and n)
    total = sum(n for _, n in pairs)
    if not total:
        return None
    low_rank, high_rank = (total - 1) // 2, total // 2     # 0-based ranks of the middle value(s)
    low: int | None = None
    high: int | None = None
    seen = 0
    for value, n in pairs:
        if low is None and low_rank < seen + n:
            low = value
        if high_rank < seen + n:
            high = value
            break
        seen += n
    if low is None or high is None:  # never: total > 0 puts both middle ranks among the pairs
        return None
    with localcontext() as ctx:
        ctx.prec = 60
        return float((Decimal(low + high) / 2).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP))
