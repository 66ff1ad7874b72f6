"""Form fields shared by every blueprint: dates as the French type them, within the accepted range."""
from wtforms import DateField

from agir.dates import DATE_MAX, DATE_MIN, format_fr, in_range
from agir.i18n import lazy_gettext as _l

BAD_DATE = _l("Date invalide : utilisez le format jj/mm/aaaa.")
OUT_OF_RANGE = _l("Date hors de la plage admise : entre le %(low)s et le %(high)s.",
                  low=format_fr(DATE_MIN), high=format_fr(DATE_MAX))


class FrenchDateField(DateField):
    """A date from the calendar widget (AAAA-MM-JJ) or typed (jj/mm/aaaa), refused in French when
    unreadable or outside DATE_MIN..DATE_MAX (beyond, start + 18 months leaves Python's calendar)."""

    def __init__(self, label=None, validators=None, format=("%Y-%m-%d", "%d/%m/%Y"), **kwargs):
        kwargs.setdefault("invalid_value_message", BAD_DATE)
        # The calendar widget offers the same range (the forms are novalidate: the server has the last word).
        kwargs["render_kw"] = {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat(), **kwargs.get("render_kw", {})}
        super().__init__(label, validators, format=list(format), **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not in_range(self.data):
            self.data = None
            raise ValueError(str(OUT_OF_RANGE))
