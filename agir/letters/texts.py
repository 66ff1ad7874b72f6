"""The French texts of the convocation letter (issue 17 item 3): the msgids of the `letters` catalogues.

Like the engagement contract's (agir/contract/texts.py), they are not the UI's strings: one catalogue per
language, agir/translations/<locale>/LC_MESSAGES/letters.po, each with its review record (X-Reviewed-By, empty
until a translator has checked it: the PDF then says « Traduction non vérifiée » in both languages). `T()` only
marks a text; agir.contract.catalogue.catalogue(code, "letters") translates it. Placeholders: %(name)s, filled
after translation (the day and the time are written by each language's CLDR rules, agir.letters.pdf).

Nothing sensitive is printed: the letter may be read by anyone the person shows it to (no kind of appointment, no
diagnostic, no status) — the person's name, when, where, with whom, the interpreter's language, what to bring,
how to warn the structure.
"""

from agir.contract.marker import Marker

T = Marker()


TITLE = T("Convocation à un rendez-vous")
UNREVIEWED = T("Traduction non vérifiée : ce texte n'a pas encore été relu par un traducteur.")
REVIEWED = T("Traduction relue par : %(who)s")
LANGUAGE_NOTE = T("Cette convocation est rédigée en français et en %(language)s.")
RECIPIENT = T("Destinataire : %(name)s")
INTRO = T("Vous avez rendez-vous avec votre référent ou référente. Merci de venir à l'heure.")
SECTION_WHEN = T("Votre rendez-vous")
DAY = T("Jour : %(day)s")
TIME = T("Heure : %(time)s")
LENGTH = T("Durée : %(minutes)s minutes")
PLACE = T("Lieu : %(place)s")
PLACES = {
    "phone": T("par téléphone : la structure vous appellera"),
    "video": T("en visioconférence"),
    "home_visit": T("à votre domicile"),
}
REFERENT = T("Référent ou référente : %(name)s")
INTERPRETER = T("Un ou une interprète en %(language)s sera présent·e.")
SECTION_BRING = T("À apporter")
BRING = (
    T("cette convocation ;"),
    T("votre titre de séjour ou une pièce d'identité ;"),
    T("les courriers reçus depuis votre dernier rendez-vous."),
)
SECTION_CONTACT = T("En cas d'empêchement")
CONTACT_PHONE = T("Prévenez la structure au %(phone)s.")
CONTACT_NO_PHONE = T("Prévenez la structure dès que possible.")
ISSUED = T("Fait le %(date)s.")

# The language's own name, written in that language (the translated catalogue gives it).
LANGUAGE_NAME = T("français")


def all_msgids() -> list[str]:
    """Every text of the letter, in the order of this module (the order of the catalogues)."""
    return T.msgids()
