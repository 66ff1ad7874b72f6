"""The fonts of the contract's PDF: Google's Noto, from Debian's package fonts-noto-core (installed by
`make fonts` and by .ci/run, never committed). Without them the PDF is not made: the page says which
package is missing (never a PDF with empty boxes)."""
import os

DEFAULT_DIR = "/usr/share/fonts/truetype/noto"
PACKAGE = "fonts-noto-core"
# family -> (regular, bold): Latin (French, English), Arabic script (Arabic, Dari, Pashto: Naskh covers the
# Persian and Pashto letters), Ethiopic script (Tigrinya).
FAMILIES = {
    "latin": ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    "arabic": ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf"),
    "ethiopic": ("NotoSansEthiopic-Regular.ttf", "NotoSansEthiopic-Bold.ttf"),
}


def font_dir(configured: str | None = None) -> str:
    return configured or os.environ.get("AGIR_FONT_DIR") or DEFAULT_DIR


def missing(directory: str, families=("latin",)) -> list[str]:
    """The font files of these families that are not in the directory."""
    wanted = ["latin", *families]
    return [name for family in dict.fromkeys(wanted) for name in FAMILIES[family]
            if not os.path.isfile(os.path.join(directory, name))]
