"""The duplicate rule (SPEC §4.8): normalisation, birth dates, the score, and the labelled test set."""
import json
from datetime import date
from pathlib import Path

import pytest

from agir.rules import duplicates as d

CASES = Path(__file__).parent.parent / "data" / "duplicates_cases.jsonl"


def person(last, first, born=date(1990, 5, 4), sex="M", nationality="AFG"):
    return {"last_name": last, "first_name": first, "birth_on": born, "sex": sex, "nationality": nationality}


@pytest.mark.parametrize("a, b", [
    ("Mohammad", "Muhammad"), ("Mohamed", "Mouhamed"), ("Mohammed", "Mohamad"), ("Hossein", "Hussein"),
    ("Husain", "Hossein"), ("Fatemeh", "Fatima"), ("Fatma", "Fatima"), ("Ahmad", "Ahmed"),
    ("Abdel Karim", "Abdelkarim"),
    ("Abdul Karim", "Abdelkarim"), ("Youssef", "Yusuf"), ("Mamadou", "Mamadu"), ("Ousmane", "Usman"),
    ("Othman", "Osman"), ("Tesfaye", "Tesfay"), ("Abdirahman", "Abdourahmane"), ("Al-Hassan", "Alhassan"),
    ("Jean-Baptiste", "jean baptiste"), ("KEÏTA", "Keita"), ("N'Guessan", "Nguessan"), ("Héritier", "heritier"),
])
def test_transliterations_share_their_canonical_spelling(a, b):
    assert "".join(d.canonical_tokens(a)) == "".join(d.canonical_tokens(b))


def test_different_names_stay_apart():
    assert d.canonical_tokens("Hassan") != d.canonical_tokens("Hussein")
    assert d.canonical_tokens("Amina") != d.canonical_tokens("Amine")
    # Joseph is the French name, not a transliteration of Youssef: two documents would not differ so.
    assert d.canonical_tokens("Joseph") != d.canonical_tokens("Youssef")


def test_keys_ignore_word_order_compounds_and_vowels():
    born = date(1990, 5, 4)
    a = d.search_keys("Ahmadi", "Mohammad Ali", birth_on=born)
    b = d.search_keys("Ali Ahmadi", "Muhammad", birth_on=born)
    assert a.name_key == b.name_key and a.name_key.startswith("1990:")
    assert a.name_day_key == d.search_keys("Ahmadi", "Mohammad Ali", birth_on=date(1980, 5, 4)).name_day_key
    assert d.search_keys("Abdelkarim", "Omar", birth_on=born).name_key == \
        d.search_keys("Abdel Karim", "Umar", birth_on=born).name_key
    assert d.search_keys("Aya", "Awa", birth_on=born).last_key is None  # no consonant: pairs nothing
    assert d.search_keys("Ahmadi", "Ali").name_key is None  # no birth date


def test_search_text_holds_plain_and_canonical_forms():
    keys = d.search_keys("Héritier", "Mukendi")
    assert " heritier " in keys.search_text and " mukendi " in keys.search_text
    assert d.search_words("Muhammad") == [("muhammad", "muhamad")]
    assert "muhamad" in d.search_keys("Ahmadi", "Mohamed").search_text


@pytest.mark.parametrize("phone", ["06 12 34 56 78", "+33612345678", "+33 6 12 34 56 78", "0033612345678",
                                   "06.12.34.56.78", "06-12-34-56-78"])
def test_phone_numbers_in_any_form(phone):
    assert d.phone_digits(phone) == "0612345678"


@pytest.mark.parametrize("a, b, expected", [
    (date(1990, 5, 4), date(1990, 5, 4), d.DATE_EQUAL),
    (date(1990, 5, 4), date(1990, 4, 5), d.DATE_SWAPPED),
    (date(1990, 5, 4), date(1990, 1, 1), d.DATE_FIRST_JANUARY),
    (date(1990, 5, 4), date(1991, 5, 4), d.DATE_TYPO),
    (date(1990, 5, 4), date(1990, 5, 7), d.DATE_TYPO),
    (date(1989, 5, 4), date(1998, 5, 4), d.DATE_TRANSPOSED),
    (date(1990, 5, 4), date(1985, 11, 20), 0.0),
    (date(1990, 5, 4), date(1991, 1, 1), 0.0),
])
def test_birth_dates(a, b, expected):
    assert d.date_score(a, b) == expected
    assert d.date_score(b, a) == expected


def test_score_of_the_usual_cases():
    base = person("Ahmadi", "Mohammad")
    assert d.score(base, dict(base)) == 1.0
    assert d.is_duplicate(base, person("AHMADI", "Muhammad", date(1990, 4, 5)))
    assert d.is_duplicate(base, person("Mohamed", "Ahmadi", date(1990, 1, 1)))  # names swapped, day unknown
    assert not d.is_duplicate(base, person("Ahmadi", "Mohammad", nationality="IRN"))


def test_look_alikes_are_not_duplicates():
    base = person("Ahmadi", "Hassan")
    assert not d.is_duplicate(base, person("Ahmadi", "Hussein"))  # twins
    assert not d.is_duplicate(base, person("Ahmadi", "Zahra", date(1993, 2, 11), sex="F"))  # sister
    assert not d.is_duplicate(base, person("Karimi", "Fatima", date(1992, 8, 30), sex="F"))  # spouse
    assert not d.is_duplicate(base, person("Ahmadi", "Hassan", date(1984, 10, 21)))  # common name, other year


def test_a_close_birth_date_says_less_for_a_common_name():
    a, b = person("Diallo", "Mohamed", date(2002, 9, 9)), person("Diallo", "Mohamed", date(2002, 3, 9))
    assert d.is_duplicate(a, b)  # a rare name: one digit of the month mistyped
    assert d.is_duplicate(a, b, others=2)
    assert not d.is_duplicate(a, b, others=10)  # ten other Mohamed Diallo of Guinea: a coincidence
    assert d.is_duplicate(a, dict(a), others=60)  # the same birth date still is a duplicate


def load_cases():
    for line in CASES.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        for side in ("a", "b"):
            case[side]["birth_on"] = date.fromisoformat(case[side]["birth_on"])
        yield case


def test_precision_and_recall_on_the_labelled_set():
    cases = list(load_cases())
    assert len(cases) >= 200
    assert sum(c["duplicate"] for c in cases) >= 100 and sum(not c["duplicate"] for c in cases) >= 100
    true_pos = false_pos = false_neg = 0
    for case in cases:
        found = d.is_duplicate(case["a"], case["b"])
        assert d.score(case["a"], case["b"]) == d.score(case["b"], case["a"])
        true_pos += found and case["duplicate"]
        false_pos += found and not case["duplicate"]
        false_neg += case["duplicate"] and not found
    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / (true_pos + false_neg)
    print(f"\nduplicates: {len(cases)} pairs, precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.95
    assert recall >= 0.95
