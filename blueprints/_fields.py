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

    def _value(self):
        """A date that parsed is shown as the calendar widget reads it (AAAA-MM-JJ), even when typed jj/mm/aaaa;
        one that did not is shown exactly as typed (see __call__)."""
        if self.data is not None:
            return self.data.isoformat()
        return " ".join(self.raw_data) if self.raw_data else ""

    def kept_as_typed(self) -> bool:
        """True when the posted value was not a date: it comes back as typed, in a plain text box."""
        return self.data is None and bool(self.raw_data) and any(v.strip() for v in self.raw_data)

    def __call__(self, **kwargs):
        # A date input cannot show « 31/02/2024 » or « hier »: the browser would empty it and the user would lose
        # what they typed. The field comes back as text, value untouched, next to its French error.
        if self.kept_as_typed():
            kwargs.update(type="text", min=False, max=False)
            kwargs.setdefault("placeholder", "jj/mm/aaaa")
        return super().__call__(**kwargs)
