"""Housing (households), language (hours, assiduity, CECRL progress), health, digital, mentoring, sport and culture."""
from datetime import date

from tests import factories as f
from tests.indicators.helpers import event, housing, indicators, participation, person, without_household


def test_permanent_housing_counts_households_not_persons(world):
    shared = person(world)
    partner = person(world, household=shared.household)
    housing(shared, "social_rental", date(2022, 3, 1))
    housing(partner, "social_rental", date(2022, 3, 1))          # same household: once
    alone = without_household(person(world))
    housing(alone, "iml_mandate", date(2022, 12, 31))             # household of one, on the bound
    twice = person(world)
    housing(twice, "private_rental", date(2022, 1, 1))
    housing(twice, "social_rental", date(2022, 6, 1))             # two accesses, one household
    housing(person(world), "iml_sublet", date(2022, 5, 1))        # not permanent
    housing(person(world), "temporary", date(2022, 5, 1))         # not permanent
    housing(person(world), "social_rental", date(2023, 1, 1))     # outside the period
    other_alone = without_household(person(world))
    housing(other_alone, "social_rental", date(2022, 7, 1))       # another household of one
    assert indicators()["housing"]["households_permanent_housing"] == 4


def test_language_hours_are_session_hours_in_the_period_of_language_programmes(world):
    f.make_programme(world.department, world.school, theme="professional_french",
                     sessions=((date(2022, 1, 1), 2.5), (date(2022, 12, 31), 1.0), (date(2023, 1, 1), 9.0)))
    f.make_programme(world.department, world.school, theme="health", sessions=((date(2022, 6, 1), 50.0),))
    # world.programme (language): one session of 3 h on 01/09/2022, no participant at all.
    assert indicators()["language"]["training_hours"] == 6.5


def test_assiduity_is_80_percent_of_planned_hours(world):
    lang = world.programme
    participation(person(world), lang, date(2022, 1, 1), date(2022, 6, 1), planned=100, attended=80)   # yes
    participation(person(world), lang, date(2022, 1, 1), date(2022, 6, 1), planned=100, attended=79.5)  # no
    participation(person(world), lang, date(2022, 1, 1), date(2022, 6, 1), planned=35, attended=28)   # yes, exact 80 %
    participation(person(world), lang, date(2022, 1, 1), None, planned=0, attended=0)                  # no plan
    participation(person(world), lang, date(2022, 1, 1), None, planned=10, attended=None)              # not recorded
    participation(person(world), lang, date(2021, 1, 1), date(2021, 12, 31), planned=10, attended=10)  # not overlapping
    twice = person(world)
    participation(twice, lang, date(2022, 1, 1), date(2022, 3, 1), planned=10, attended=10)
    participation(twice, lang, date(2022, 4, 1), date(2022, 6, 1), planned=10, attended=9)             # same person
    health = f.make_programme(world.department, world.school, theme="health")
    participation(person(world), health, date(2022, 1, 1), None, planned=10, attended=10)              # not language
    assert indicators()["language"]["assiduous_participants"] == 3


def test_progress_of_one_cecrl_level_on_participations_ending_in_the_period(world):
    lang = world.programme

    def levels(start, end, level_start, level_end):
        participation(person(world), lang, start, end, level_start=level_start, level_end=level_end)

    levels(date(2022, 1, 1), date(2022, 6, 1), "A1", "A2")  # yes
    levels(date(2022, 1, 1), date(2022, 12, 31), "pre_A1", "A1")  # yes, ends on the bound
    levels(date(2022, 1, 1), date(2022, 6, 1), "A1", "B2")  # yes
    levels(date(2022, 1, 1), date(2022, 6, 1), "A2", "A2")  # equal
    levels(date(2022, 1, 1), date(2022, 6, 1), "B1", "A2")  # down
    levels(date(2022, 1, 1), date(2022, 6, 1), None, "A2")  # unknown
    levels(date(2022, 1, 1), date(2023, 1, 1), "A1", "A2")  # ends after
    levels(date(2022, 1, 1), None, "A1", "A2")  # not ended
    twice = person(world)
    participation(twice, lang, date(2022, 1, 1), date(2022, 3, 1), level_start="A1", level_end="A2")
    participation(twice, lang, date(2022, 4, 1), date(2022, 6, 1), level_start="A2", level_end="B1")
    assert indicators()["language"]["progressed_one_level"] == 4


def test_events_in_the_period_and_distinct_sport_and_cultural_events(world):
    a, b = person(world), person(world)
    event(a, "medical_consultation", date(2022, 1, 1))
    event(a, "medical_consultation", date(2022, 1, 1))
    event(b, "medical_consultation", date(2022, 12, 31))
    event(b, "medical_consultation", date(2023, 1, 1))
    event(a, "digital_tool", date(2022, 3, 1))
    event(a, "mentoring_pair", date(2022, 3, 1))
    event(b, "mentoring_pair", date(2022, 3, 1))
    event(a, "sport_event", date(2022, 5, 1), "EV1")
    event(b, "sport_event", date(2022, 5, 1), "EV1")
    event(b, "sport_event", date(2022, 6, 1), "EV2")
    event(a, "cultural_event", date(2022, 7, 1), "EV1")
    event(b, "cultural_event", date(2021, 7, 1), "EV9")
    data = indicators()
    assert data["health"] == {"medical_consultations": 3}
    assert data["digital"]["tools_provided"] == 1
    assert data["mentoring"] == {"pairs": 2}
    assert data["sport_culture"] == {"sport_events": 2, "cultural_events": 1}


def test_digital_and_republic_values_hours(world):
    f.make_programme(world.department, world.school, theme="digital",
                     sessions=((date(2022, 2, 1), 1.5), (date(2022, 2, 8), 1.5)))
    f.make_programme(world.department, world.school, theme="republic_values",
                     sessions=((date(2022, 2, 1), 6.0), (date(2021, 2, 8), 6.0)))
    data = indicators()
    assert data["digital"]["training_hours"] == 3
    assert data["republic_values"] == {"training_hours": 6}
