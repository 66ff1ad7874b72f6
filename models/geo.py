"""The INSEE regions and the region of each of the 101 departments (official geographic code, SPEC §2).

In models/ so that a department written through the ORM gets its region (models/reference.py);
agir/reference_geo.py re-exports it for the domain.

Pure reference data: migration 0011 seeds the `regions` table from it and gives every existing
department its region; the importer derives a department's region from its code, or refuses a
region that is not its own (agir/interchange/checks.py).
"""

# INSEE region code -> name (the 13 metropolitan regions since 2016 and the 5 overseas ones).
REGIONS: dict[str, str] = {
    "01": "Guadeloupe",
    "02": "Martinique",
    "03": "Guyane",
    "04": "La Réunion",
    "06": "Mayotte",
    "11": "Île-de-France",
    "24": "Centre-Val de Loire",
    "27": "Bourgogne-Franche-Comté",
    "28": "Normandie",
    "32": "Hauts-de-France",
    "44": "Grand Est",
    "52": "Pays de la Loire",
    "53": "Bretagne",
    "75": "Nouvelle-Aquitaine",
    "76": "Occitanie",
    "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d'Azur",
    "94": "Corse",
}

_BY_REGION: dict[str, tuple[str, ...]] = {
    "01": ("971",),
    "02": ("972",),
    "03": ("973",),
    "04": ("974",),
    "06": ("976",),
    "11": ("75", "77", "78", "91", "92", "93", "94", "95"),
    "24": ("18", "28", "36", "37", "41", "45"),
    "27": ("21", "25", "39", "58", "70", "71", "89", "90"),
    "28": ("14", "27", "50", "61", "76"),
    "32": ("02", "59", "60", "62", "80"),
    "44": ("08", "10", "51", "52", "54", "55", "57", "67", "68", "88"),
    "52": ("44", "49", "53", "72", "85"),
    "53": ("22", "29", "35", "56"),
    "75": ("16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"),
    "76": ("09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"),
    "84": ("01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"),
    "93": ("04", "05", "06", "13", "83", "84"),
    "94": ("2A", "2B"),
}

# Department INSEE code -> INSEE region code, for the 101 departments.
DEPARTMENT_REGIONS: dict[str, str] = {
    department: region for region, departments in _BY_REGION.items() for department in departments
}


def region_of(department_code: str) -> str | None:
    """The INSEE region code of a department, or None for a code that is not one of the 101."""
    return DEPARTMENT_REGIONS.get(department_code)


def departments_of(region_code: str) -> tuple[str, ...]:
    """The department codes of a region (empty for an unknown region)."""
    return _BY_REGION.get(region_code, ())
