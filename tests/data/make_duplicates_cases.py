"""Writes tests/data/duplicates_cases.jsonl: labelled pairs of persons for the duplicate rule (SPEC §4.8).

Run `python tests/data/make_duplicates_cases.py` to write it again (fixed seed: same file). Each line is
{"kind": …, "duplicate": true|false, "a": {person}, "b": {person}}. Duplicates are the variants a
social worker meets when one person gets two files (transliterations, names swapped between the
fields, compound names, accents, day and month swapped, 1 January for an unknown day, typos);
look-alikes are twins, siblings, spouses, persons with a common name born another year, and
strangers born the same day.
"""
import json
import random
from datetime import date, timedelta
from pathlib import Path

SEED = 13
# Per origin: last names, men's first names, women's first names (as they appear on French documents).
ORIGINS = {
    "AFG": (["Ahmadi", "Hosseini", "Karimi", "Rahimi", "Noori", "Haidari", "Sultani", "Popal", "Stanekzai",
             "Amiri", "Wardak", "Mohammadi", "Rezaei", "Jafari", "Nazari", "Sharifi", "Hashimi", "Qaderi"],
            ["Mohammad", "Ahmad", "Hossein", "Ali", "Hamid", "Farid", "Jawad", "Noorullah", "Rahmatullah",
             "Sayed", "Zabihullah", "Naweed", "Bilal", "Idris", "Mustafa", "Reza", "Omid", "Javid"],
            ["Fatemeh", "Zahra", "Maryam", "Farzana", "Nazanin", "Shabnam", "Mursal", "Laila", "Parwana",
             "Sima", "Fereshta", "Mahbooba", "Zarghona", "Soraya", "Marzia"]),
    "SYR": (["Al-Hassan", "Haddad", "Khalil", "Mansour", "Darwish", "Hamdan", "Sabbagh", "Kassem", "Nasser",
             "Al-Khatib", "Barakat", "Youssef", "Shami", "Al-Ahmad", "Abdel Karim", "Hijazi"],
            ["Omar", "Khaled", "Ahmad", "Mahmoud", "Youssef", "Bashar", "Rami", "Samer", "Tarek", "Hussein",
             "Mazen", "Fadi", "Ayham", "Mohammad", "Abdelrahman", "Hassan"],
            ["Rania", "Lina", "Hala", "Amal", "Nour", "Rasha", "Dima", "Yasmin", "Reem", "Ghada", "Hiba",
             "Fatima", "Aya", "Salma"]),
    "SDN": (["Abdallah", "Osman", "Ibrahim", "Adam", "Yagoub", "Ismail", "Elamin", "Musa", "Abakar",
             "Haroun", "Eltayeb", "Mohamed Ali", "Abdelrahman", "Suleiman"],
            ["Mohamed", "Abdelrahman", "Ahmed", "Osman", "Musa", "Abakar", "Haroun", "Ishag", "Adam", "Yasir",
             "Elsadig", "Hamza", "Mubarak", "Nasreldin"],
            ["Amna", "Fatima", "Hawa", "Mariam", "Khadija", "Aisha", "Safia", "Zeinab", "Samah", "Halima"]),
    "ERI": (["Tesfay", "Gebremedhin", "Haile", "Tekle", "Berhane", "Kidane", "Ghebreyesus", "Mehari",
             "Yohannes", "Woldu", "Abraha", "Tsegay", "Gebrehiwet", "Habte"],
            ["Dawit", "Yonas", "Filmon", "Semere", "Robel", "Bereket", "Amanuel", "Henok", "Kibrom", "Mulugeta",
             "Tesfaye", "Yohannes", "Merhawi", "Natnael"],
            ["Helen", "Senait", "Mebrat", "Saba", "Rahwa", "Selam", "Luwam", "Winta", "Yordanos", "Ruta",
             "Feven", "Milena"]),
    "SOM": (["Mohamed", "Hassan", "Abdi", "Farah", "Warsame", "Ali", "Nur", "Yusuf", "Osman", "Jama", "Egal",
             "Abdullahi", "Hersi", "Duale"],
            ["Abdirahman", "Abdullahi", "Mohamed", "Ahmed", "Hassan", "Abdikadir", "Mustafe", "Liban", "Said",
             "Bashir", "Yusuf", "Guled", "Ayanle"],
            ["Hodan", "Faadumo", "Amina", "Sahra", "Hibo", "Ifrah", "Sagal", "Ubah", "Nasra", "Deeqa", "Ayan"]),
    "COD": (["Mukendi", "Kabila", "Tshimanga", "Mbuyi", "Ilunga", "Kalonji", "Lukusa", "Mutombo", "Nsimba",
             "Kasongo", "Mwamba", "Banza", "Lumbala"],
            ["Héritier", "Patrick", "Jean-Baptiste", "Christian", "Glody", "Trésor", "Fiston", "Junior",
             "Dieudonné", "Exaucé", "Merveille", "Serge"],
            ["Grâce", "Esther", "Divine", "Rachel", "Gloire", "Bénédicte", "Chancelle", "Nadège", "Sarah",
             "Ruth"]),
    "GIN": (["Diallo", "Bah", "Barry", "Sow", "Camara", "Condé", "Keïta", "Touré", "Baldé", "Soumah", "Sylla",
             "Cissé", "Kouyaté", "Doumbouya"],
            ["Mamadou", "Alpha", "Ibrahima", "Ousmane", "Amadou", "Sékou", "Abdoulaye", "Thierno", "Boubacar",
             "Mohamed", "Lansana", "Alseny", "Mamadou Saliou", "Abdourahmane"],
            ["Mariama", "Fatoumata", "Aïssatou", "Kadiatou", "Hadja", "Djénabou", "Aminata", "Binta", "Oumou",
             "Hawa", "Nènè", "Mariama Ciré"]),
}
# Spellings of one name met on different documents (OFPRA, prefecture, CAF, hand-written forms).
SPELLINGS = [
    ["Mohammad", "Mohamed", "Muhammad", "Mohammed", "Mouhamed", "Mohamad", "Muhammed"],
    ["Hossein", "Hussein", "Husain", "Hussain", "Houssein"],
    ["Fatemeh", "Fatima", "Fatma", "Fatimah", "Fatouma"],
    ["Ahmad", "Ahmed"], ["Youssef", "Yusuf", "Yousef", "Yussuf"], ["Mamadou", "Mamadu"],
    ["Ousmane", "Usman", "Othman", "Osman"], ["Tesfaye", "Tesfay", "Tesfai"], ["Tsegay", "Tsegaye"],
    ["Abdirahman", "Abdourahmane", "Abdurrahman", "Abdelrahman", "Abderrahmane"],
    ["Abdullahi", "Abdallah", "Abdullah", "Abdoulaye"], ["Mahmoud", "Mahmud"], ["Khaled", "Khalid"],
    ["Mariam", "Maryam", "Mariama"], ["Zeinab", "Zainab"], ["Khadija", "Khadidja"], ["Aisha", "Aïcha"],
    ["Mustafa", "Moustapha", "Mostafa", "Mustafe"], ["Hassan", "Hasan"], ["Yohannes", "Yohanes"],
    ["Ibrahim", "Ibrahima", "Ebrahim"], ["Ismail", "Ismaël"], ["Musa", "Moussa"], ["Said", "Saïd", "Sayed"],
    ["Noorullah", "Nurullah"], ["Zabihullah", "Zabiullah"], ["Hosseini", "Husseini", "Hosseyni"],
    ["Mohammadi", "Mohamadi"], ["Rezaei", "Rezaie", "Rezai"], ["Jafari", "Jaafari"], ["Haidari", "Heidari"],
    ["Noori", "Nouri", "Nuri"], ["Sharifi", "Charifi"], ["Qaderi", "Ghaderi", "Kaderi"], ["Yagoub", "Yacoub"],
    ["Haroun", "Harun"], ["Amna", "Amina"], ["Abakar", "Abakr"], ["Faadumo", "Fadumo"], ["Hodan", "Hoodan"],
    ["Abdikadir", "Abdulkadir", "Abdelkader"], ["Djénabou", "Jenabou"], ["Kadiatou", "Khadiatou"],
    ["Thierno", "Tierno"], ["Sékou", "Sekou"], ["Boubacar", "Boubakar", "Aboubacar"], ["Keïta", "Keita"],
    ["Touré", "Toure"], ["Cissé", "Cisse"], ["Baldé", "Balde"], ["Condé", "Conde"], ["Héritier", "Heritier"],
    ["Trésor", "Tresor"], ["Tshimanga", "Tchimanga"], ["Mbuyi", "Mbuyï"], ["Ghebreyesus", "Gebreyesus"],
    ["Gebremedhin", "Gebremedin"], ["Al-Hassan", "Alhassan", "El Hassan"], ["Al-Khatib", "Al Khatib", "Khatib"],
    ["Abdel Karim", "Abdelkarim", "Abdul Karim"], ["Jean-Baptiste", "Jean Baptiste"],
    ["Elamin", "El Amin", "Al-Amin"], ["Eltayeb", "El Tayeb", "Al-Tayeb"],
]


def spellings_of(name: str) -> list[str]:
    """Other spellings of a name (word by word), excluding the name itself."""
    for group in SPELLINGS:
        if name in group:
            return [s for s in group if s != name]
    return []


def typo(rng: random.Random, name: str) -> str:
    """One keystroke wrong: a letter dropped, doubled, replaced by a neighbour, or two letters swapped."""
    letters = list(name)
    i = rng.randrange(1, len(letters))  # the first letter is seldom the wrong one
    kind = rng.choice(["drop", "double", "neighbour", "swap"])
    neighbours = {"a": "zqs", "e": "zrd", "i": "uok", "o": "ipl", "u": "yij", "n": "bm", "m": "nl", "r": "et",
                  "s": "qd", "d": "sf", "h": "gj", "l": "km", "t": "ry", "k": "jl", "b": "vn", "y": "tu"}
    if kind == "drop" and len(letters) > 4:
        del letters[i]
    elif kind == "double":
        letters.insert(i, letters[i])
    elif kind == "swap" and i < len(letters) - 1:
        letters[i], letters[i + 1] = letters[i + 1], letters[i]
    else:
        c = letters[i].lower()
        letters[i] = rng.choice(neighbours.get(c, "aeiou"))
    return "".join(letters)


def vary_name(rng: random.Random, name: str) -> str:
    """Another spelling of a name (word by word), when one is known; else the same name."""
    words = name.split(" ")
    if name in {w for g in SPELLINGS for w in g} and spellings_of(name):
        return rng.choice(spellings_of(name))
    out = []
    for word in words:
        others = spellings_of(word)
        out.append(rng.choice(others) if others and rng.random() < 0.8 else word)
    return " ".join(out)


def random_birth(rng: random.Random) -> date:
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 365 * 45))
    if rng.random() < 0.15:  # an unknown day written 1 January on the documents
        born = date(born.year, 1, 1)
    return born


def person(rng: random.Random, nationality: str, sex: str | None = None, last: str | None = None) -> dict:
    lasts, men, women = ORIGINS[nationality]
    sex = sex or rng.choice("FM")
    return {"last_name": last or rng.choice(lasts), "first_name": rng.choice(men if sex == "M" else women),
            "sex": sex, "birth_on": random_birth(rng), "nationality": nationality}


def copy(p: dict, **changes) -> dict:
    q = dict(p)
    q.update(changes)
    return q


def one_digit_typo(rng: random.Random, born: date) -> date:
    while True:
        text = list(f"{born:%Y%m%d}")
        i = rng.choice([3, 5, 7, 6, 2])
        text[i] = str(rng.randrange(10))
        try:
            other = date(int("".join(text[:4])), int("".join(text[4:6])), int("".join(text[6:])))
        except ValueError:
            continue
        if other != born and 1950 <= other.year <= 2010:
            return other


def swapped(rng: random.Random, p: dict) -> dict:
    born = p["birth_on"]
    day = rng.randrange(1, 13)
    month = rng.choice([m for m in range(1, 13) if m != day])
    born = date(born.year, month, day)
    return copy(p, birth_on=born)


def variants(rng: random.Random, count: int) -> list:
    """Pairs of files of one person."""
    out = []
    makers = [
        ("transliteration", lambda p: copy(p, last_name=vary_name(rng, p["last_name"]),
                                           first_name=vary_name(rng, p["first_name"]))),
        ("names_swapped", lambda p: copy(p, last_name=p["first_name"], first_name=p["last_name"])),
        ("names_swapped_transliterated", lambda p: copy(p, last_name=vary_name(rng, p["first_name"]),
                                                        first_name=p["last_name"])),
        ("case_accents", lambda p: copy(p, last_name=p["last_name"].upper(),
                                        first_name=p["first_name"].lower())),
        ("compound_split", lambda p: copy(p, last_name=p["last_name"].replace("-", " ").replace(" ", ""),
                                          first_name=p["first_name"].replace("-", " "))),
        ("second_name_added", lambda p: copy(p, first_name=p["first_name"] + " " + rng.choice(
            ["Ali", "Mohamed", "Marie", "Ahmad", "Saliou"]))),
        ("last_name_typo", lambda p: copy(p, last_name=typo(rng, p["last_name"]))),
        ("first_name_typo", lambda p: copy(p, first_name=typo(rng, p["first_name"]))),
        ("day_month_swapped", lambda p: ("swap", p)),
        ("first_january", lambda p: copy(p, birth_on=date(p["birth_on"].year, 1, 1))),
        ("date_digit_typo", lambda p: copy(p, birth_on=one_digit_typo(rng, p["birth_on"]))),
        ("transliteration_and_swapped_date", lambda p: ("swap", copy(p, first_name=vary_name(rng, p["first_name"])))),
        ("transliteration_and_first_january", lambda p: copy(p, last_name=vary_name(rng, p["last_name"]),
                                                             birth_on=date(p["birth_on"].year, 1, 1))),
        ("names_swapped_and_typo", lambda p: copy(p, last_name=typo(rng, p["first_name"]),
                                                  first_name=p["last_name"])),
    ]
    while len(out) < count:
        kind, make = makers[len(out) % len(makers)]
        nationality = rng.choice(list(ORIGINS))
        a = person(rng, nationality)
        if kind in ("day_month_swapped", "transliteration_and_swapped_date"):
            a = swapped(rng, a)
            _, b = make(a)
            b = copy(b, birth_on=date(a["birth_on"].year, a["birth_on"].day, a["birth_on"].month))
        else:
            b = make(a)
        if (b["last_name"], b["first_name"], b["birth_on"]) == (a["last_name"], a["first_name"], a["birth_on"]) \
                and kind not in ("case_accents", "compound_split"):
            continue  # the variant changed nothing (no other spelling known): draw again
        if kind == "first_january" and a["birth_on"].month == a["birth_on"].day == 1:
            continue
        out.append((kind, True, a, b))
    return out


def look_alikes(rng: random.Random, count: int) -> list:
    """Pairs of different persons that look alike."""
    out = []
    kinds = ["twins", "siblings", "spouses", "common_name_other_year", "same_birth_day", "cousins"]
    while len(out) < count:
        kind = kinds[len(out) % len(kinds)]
        nationality = rng.choice(list(ORIGINS))
        a = person(rng, nationality)
        if kind == "twins":
            b = person(rng, nationality, last=a["last_name"])
            b["birth_on"] = a["birth_on"]
        elif kind in ("siblings", "cousins"):
            b = person(rng, nationality, last=a["last_name"])
            b["birth_on"] = a["birth_on"] + timedelta(days=rng.choice([-1, 1]) * rng.randrange(300, 4000))
        elif kind == "spouses":
            b = person(rng, nationality, sex="M" if a["sex"] == "F" else "F",
                       last=a["last_name"] if rng.random() < 0.5 else None)
            b["birth_on"] = a["birth_on"] + timedelta(days=rng.choice([-1, 1]) * rng.randrange(200, 5000))
        elif kind == "common_name_other_year":
            b = copy(a, first_name=vary_name(rng, a["first_name"]) if rng.random() < 0.5 else a["first_name"])
            b["birth_on"] = random_birth(rng)
            if abs(b["birth_on"].year - a["birth_on"].year) < 2:
                continue
        else:  # strangers of one country born the same day (1 January often)
            b = person(rng, nationality)
            b["birth_on"] = a["birth_on"]
        if kind in ("twins", "siblings", "cousins", "spouses") and \
                vary_name(rng, a["first_name"]) == vary_name(rng, b["first_name"]) or \
                a["first_name"] == b["first_name"] and kind != "common_name_other_year":
            continue  # two children are not given the same name
        if kind in ("twins", "siblings", "cousins") and set(spellings_of(a["first_name"])) & {b["first_name"]}:
            continue
        out.append((kind, False, a, b))
    return out


def main() -> None:
    rng = random.Random(SEED)
    cases = variants(rng, 180) + look_alikes(rng, 180)
    path = Path(__file__).with_name("duplicates_cases.jsonl")
    with path.open("w", encoding="utf-8") as out:
        for kind, duplicate, a, b in cases:
            row = {"kind": kind, "duplicate": duplicate,
                   "a": {**a, "birth_on": a["birth_on"].isoformat()}, "b": {**b, "birth_on": b["birth_on"].isoformat()}}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(cases)} pairs written to {path}")


if __name__ == "__main__":
    main()
