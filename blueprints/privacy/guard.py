"""Input guard for the whole application: a NUL character in a request is refused with a 400.

PostgreSQL text cannot hold NUL (0x00): a value carrying one, typed or forged in any form field, query
string or path, would reach a query and fail as a 500 (found by tests/test_fuzz_forms.py). No
legitimate input contains it, so the request is refused before any view runs. Registered by the
privacy blueprint (issue 7: trust and robustness) with before_app_request, so it guards every blueprint.
"""
from flask import abort, request

NUL = "\x00"


def _values():
    yield request.path
    for source in (request.args, request.form):
        for key, values in source.lists():
            yield key
            yield from values
    # The names of uploaded files are left to the one view that accepts files (a person's documents): it refuses
    # a NUL or control character with a French message next to the field (agir.rules.documents.check_filename)
    # and never lets such a name reach a query.


def refuse_nul_bytes() -> None:
    """400 when any part of the request holds a NUL character."""
    if any(NUL in value for value in _values()):
        abort(400)
