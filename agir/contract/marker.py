"""`T()`, the marker of the texts given to a refugee (contract and letters): each module makes its own.

`T = Marker()`; `T("…")` returns the French text unchanged and remembers it; `T.msgids()` lists the texts in the
order they were marked (the order of the catalogues). Babel extracts the calls by the keyword `T` (babel.cfg),
deliberately not one of the UI's gettext keywords: these texts have their own domains (`contract`, `letters`)."""


class Marker:
    """Marks and remembers the msgids of one catalogue."""

    def __init__(self) -> None:
        self._msgids: list[str] = []

    def __call__(self, msgid: str) -> str:
        if msgid not in self._msgids:
            self._msgids.append(msgid)
        return msgid

    def msgids(self) -> list[str]:
        """Every text marked, in order."""
        return list(self._msgids)
