"""CLI command `agir documents verify`: every document's bytes are in the store, decrypt, and have the sha256
recorded at upload (the check after a restore, docs/operations.md § 6)."""
import sys

import click

from agir.commands.documents import documents_group


@documents_group.command("verify")
def verify_command() -> None:
    """Relit les octets de chaque document (présents, déchiffrables, même empreinte sha256) : le contrôle
    d'une restauration."""
    from agir.documents.verify import verify
    from agir.extensions import db
    found = verify(db.session)
    click.echo(f"{found.checked} document(s) vérifié(s) : {len(found.missing)} introuvable(s), "
               f"{len(found.altered)} illisible(s) ou différent(s) ; {found.orphans} fichier(s) sans document.")
    for label, ids in (("introuvables", found.missing), ("illisibles ou différents", found.altered)):
        if ids:
            click.echo(f"Documents {label} : {', '.join(str(i) for i in ids[:50])}"
                       f"{' …' if len(ids) > 50 else ''}", err=True)
    if not found.ok:
        sys.exit(1)
