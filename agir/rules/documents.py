"""What a document's file may be (SPEC §4.7, issue 18): its size, its name, and its type decided from its content.

Pure: the facts about the bytes (their type by magic number, foreign signatures, active PDF content, whether
Pillow decodes the image) come from agir.documents.sniff as a ContentFacts; these functions decide. Each
refusal is a RuleViolation on the field « file » with a French message; check_file returns them all at once.
"""
import unicodedata
from dataclasses import dataclass, field

from agir.errors import RuleViolation
from agir.i18n import lazy_gettext as _l

MAX_BYTES = 10 * 1024 * 1024  # 10 MB (SPEC §4.7): 10 × 1024 × 1024 bytes, that many and no more
MAX_NAME = 255  # Document.filename
# The three types accepted, with the name endings each may carry.
EXTENSIONS = {"application/pdf": (".pdf",), "image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",)}
KIND_LABELS = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
FIELD = "file"


@dataclass(frozen=True)
class ContentFacts:
    """What the bytes are, as agir.documents.sniff found them."""

    content_type: str | None  # from the magic number: one of EXTENSIONS, or None
    foreign: tuple[str, ...] = field(default=())  # other formats' signatures inside: "zip", "html", "pdf"
    active: tuple[str, ...] = field(default=())  # active PDF names found: "/JavaScript", "/Launch" …
    image_problem: str | None = None  # "too_many_pixels", "unreadable" (Pillow), or None


def check_size(size: int) -> None:
    """Not empty, at most 10 MB."""
    if size <= 0:
        raise RuleViolation("document_empty", _l("Le fichier est vide."), FIELD)
    if size > MAX_BYTES:
        raise RuleViolation("document_too_large", _l("Le fichier dépasse 10 Mo (%(size)s octets) : réduisez-le "
                                                     "ou numérisez-le en plus basse résolution.", size=size), FIELD)


def check_filename(name: str | None) -> str:
    """The name as given, when it is a plain file name: no path (« / », « \\ », « .. »), no NUL or control
    character, at most 255 characters. Returns it stripped of surrounding spaces."""
    name = (name or "").strip()
    if not name:
        raise RuleViolation("document_no_name", _l("Le fichier n'a pas de nom."), FIELD)
    if "\0" in name or any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        raise RuleViolation("document_name_control", _l("Le nom du fichier contient un caractère interdit "
                                                        "(caractère nul ou de contrôle) : renommez-le."), FIELD)
    if "/" in name or "\\" in name or ".." in name:
        raise RuleViolation("document_name_path", _l("Le nom du fichier ne doit contenir ni chemin (« / », « \\ ») "
                                                     "ni « .. » : renommez-le."), FIELD)
    if len(name) > MAX_NAME:
        raise RuleViolation("document_name_long", _l("Le nom du fichier dépasse %(max)s caractères.", max=MAX_NAME),
                            FIELD)
    return name


def check_content(facts: ContentFacts) -> str:
    """The content type, when the bytes are a plain PDF, JPEG or PNG; else the refusal."""
    if facts.content_type not in EXTENSIONS:
        raise RuleViolation("document_type", _l("Ce fichier n'est ni un PDF, ni une image JPEG ou PNG (son contenu "
                                                "ne correspond à aucun des trois)."), FIELD)
    if facts.foreign:
        raise RuleViolation("document_polyglot", _l("Ce fichier contient aussi un autre format (%(formats)s) : il est "
                                                    "refusé. Enregistrez-le de nouveau en %(kind)s seul.",
                                                    formats=", ".join(sorted(facts.foreign)).upper(),
                                                    kind=KIND_LABELS[facts.content_type]), FIELD)
    if facts.active:
        raise RuleViolation("document_active_pdf", _l("Ce PDF contient du contenu actif (%(names)s) : il est refusé. "
                                                      "Imprimez-le en PDF ou numérisez-le.",
                                                      names=", ".join(sorted(facts.active))), FIELD)
    if facts.image_problem == "too_many_pixels":
        raise RuleViolation("document_image_bomb", _l("Cette image est trop grande une fois décompressée : elle est "
                                                      "refusée."), FIELD)
    if facts.image_problem:
        raise RuleViolation("document_image_unreadable", _l("Cette image est illisible ou tronquée."), FIELD)
    return facts.content_type


def check_name_matches(name: str, content_type: str) -> None:
    """The name ends as the content is: a PNG named « .pdf » is refused, as is a name without ending."""
    endings = EXTENSIONS[content_type]
    if not name.lower().endswith(endings):
        raise RuleViolation("document_name_type", _l("Le nom du fichier (%(name)s) ne correspond pas à son contenu "
                                                     "(%(kind)s) : il doit se terminer par %(endings)s.",
                                                     name=name, kind=KIND_LABELS[content_type],
                                                     endings=", ".join(endings)), FIELD)


def check_file(name: str | None, size: int, facts: ContentFacts | None) -> tuple[str | None, list[RuleViolation]]:
    """Every refusal of one upload at once; the content type when there is none. facts is None when the
    size already refused the bytes (they are then not examined)."""
    problems: list[RuleViolation] = []
    clean_name = content_type = None
    try:
        clean_name = check_filename(name)
    except RuleViolation as exc:
        problems.append(exc)
    try:
        check_size(size)
    except RuleViolation as exc:
        problems.append(exc)
    if facts is not None:
        try:
            content_type = check_content(facts)
        except RuleViolation as exc:
            problems.append(exc)
    if clean_name and content_type:
        try:
            check_name_matches(clean_name, content_type)
        except RuleViolation as exc:
            problems.append(exc)
    return (content_type if not problems else None), problems


def check_dates(document_on, expires_on, today) -> list[RuleViolation]:
    """A document's date is not after today and its expiry not before its date (agir.rules.entry), both at once."""
    from agir.rules.entry import check_document
    from agir.rules.person import not_after_today
    problems = []
    for rule, args in ((not_after_today, (document_on, "document_on", _l("La date du document"), today)),
                       (check_document, (document_on, expires_on))):
        try:
            rule(*args)
        except RuleViolation as exc:
            exc.field = {"expires": "expires_on"}.get(exc.field or "", exc.field)  # the form's field names
            problems.append(exc)
    return problems
