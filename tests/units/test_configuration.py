"""The console's configuration as the pages read it (bookings/configuration.py), and the
checks its rows make of what staff type (bookings/models.py)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import translation

from bookings import configuration, practice
from bookings.models import Notice, PracticeProfile, PractitionerProfile, check_texts
from physiodiary import Practitioner, Room

from ..site.wizard_support import day

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """`clock.tick(seconds)`: move this process's monotonic clock on."""

    class Clock:
        now = 1000.0

        def tick(self, seconds: float) -> None:
            self.now += seconds

    fake = Clock()
    monkeypatch.setattr(configuration.time, "monotonic", lambda: fake.now)
    return fake


def test_before_any_save_every_rule_is_the_environments(settings):
    settings.BOOKING_MIN_NOTICE_MINUTES = 45

    assert configuration.rule("BOOKING_MIN_NOTICE_MINUTES") == 45
    assert configuration.current() == configuration.ENVIRONMENT


def test_a_saved_rule_wins_and_zero_is_a_value_not_a_default(settings):
    settings.BOOKING_LATE_CANCEL_HOURS = 24
    PracticeProfile(late_cancel_hours=0, horizon_days=30).save()

    assert configuration.rule("BOOKING_LATE_CANCEL_HOURS") == 0
    assert configuration.rule("BOOKING_HORIZON_DAYS") == 30


def test_another_servers_save_is_seen_once_the_memo_is_two_seconds_old(clock):
    before = configuration.current()
    # Another server saves: the shared cache learns a new version, this
    # process's memo (put back as it was) does not.
    PracticeProfile(phone="01632 960 999").save()
    configuration._memo = (clock.now + configuration.MEMO_SECONDS, before)

    assert configuration.current().phone is None
    clock.tick(configuration.MEMO_SECONDS + 0.1)
    assert configuration.current().phone == "01632 960 999"


def test_one_reading_serves_every_request_until_a_save(clock, django_assert_num_queries):
    configuration.current()
    clock.tick(10)
    configuration._memo = None  # another process: the shared cache, no query

    with django_assert_num_queries(0):
        configuration.current()


def test_a_reading_begun_before_a_save_is_never_read_after_it(clock):
    old = configuration.current()  # kept in the cache under the version then
    version = cache.get("console:configuration:version")
    PracticeProfile(phone="01632 960 999").save()

    assert cache.get("console:configuration:version") != version
    # Even if the old reading is written again late, under its old version:
    cache.set(f"console:configuration:{version}", old)
    clock.tick(10)
    assert configuration.current().phone == "01632 960 999"


def test_with_the_cache_down_the_database_is_read(monkeypatch):
    PracticeProfile(phone="01632 960 999").save()

    def down(*args, **kwargs):
        raise ConnectionError("redis://secret@10.0.0.1")

    configuration._memo = None
    monkeypatch.setattr(cache, "get", down)
    assert configuration.current().phone == "01632 960 999"


def test_a_notice_is_current_from_its_first_day_to_its_last_inclusive():
    Notice.objects.create(text={"en-gb": "today on"}, starts_on=day(0), ends_on=day(3))
    Notice.objects.create(text={"en-gb": "ends today"}, starts_on=day(-3), ends_on=day(0))
    Notice.objects.create(text={"en-gb": "tomorrow"}, starts_on=day(1), ends_on=day(3))
    Notice.objects.create(text={"en-gb": "yesterday"}, starts_on=day(-3), ends_on=day(-1))

    texts = [n.text["en-gb"] for n in configuration.current().notices]

    assert sorted(texts) == ["ends today", "today on"]


def test_the_lists_offered_leave_out_the_hidden_and_follow_the_consoles_order():
    staff = (Practitioner(1, "A"), Practitioner(2, "B"), Practitioner(3, "C"))
    rooms = (Room(7, "R7"), Room(8, "R8"))
    PractitionerProfile.objects.create(diary_id=1, order=5)
    PractitionerProfile.objects.create(diary_id=2, offered=False)
    PractitionerProfile.objects.create(diary_id=4, order=-9)  # not listed by the diary

    offered_staff, offered_rooms = configuration.offered(staff, rooms)

    # C has no row: order 0, before A's 5; the diary's order among equals.
    assert [p.id for p in offered_staff] == [3, 1]
    assert offered_rooms == rooms


def test_a_practice_text_is_the_pages_language_then_the_default_then_the_environment(
    bilingual,
):
    settings = bilingual
    settings.PRACTICE_ADDRESS = "From the environment"
    PracticeProfile(name={"en-gb": "Riverside", "cy": "Glan yr Afon"}, address={}).save()

    with translation.override("cy"):
        assert practice.text("PRACTICE_NAME") == "Glan yr Afon"
        assert practice.text("PRACTICE_ADDRESS") == "From the environment"
    with translation.override("en-gb"):
        assert practice.text("PRACTICE_NAME") == "Riverside"
    PracticeProfile(name={"en-gb": "Riverside"}).save()
    with translation.override("cy"):
        assert practice.text("PRACTICE_NAME") == "Riverside"


# --- What the rows accept ----------------------------------------------------------


def test_a_text_over_its_limit_is_refused_naming_the_language_and_the_limit(bilingual):
    with pytest.raises(ValidationError) as refused:
        check_texts({"en-gb": "ok", "cy": "a" * 401}, 400)

    assert refused.value.messages == [
        "The Cymraeg text is 401 characters long: at most 400, please."
    ]
    assert check_texts({"en-gb": " " + "a" * 400 + " ", "cy": ""}, 400) == {"en-gb": "a" * 400}


def test_a_bio_of_401_characters_is_refused_by_the_row():
    row = PractitionerProfile(diary_id=1, bio={"en-gb": "a" * 401})

    with pytest.raises(ValidationError) as refused:
        row.full_clean()

    assert "bio" in refused.value.message_dict


def test_a_text_for_a_language_not_offered_is_refused():
    with pytest.raises(ValidationError):
        check_texts({"fr": "Bonjour"}, 200)


@pytest.mark.parametrize("address", ["javascript:alert(1)", "www.example.com/privacy", "https://"])
def test_a_privacy_link_must_be_a_web_address(address):
    row = PracticeProfile(privacy_url={"en-gb": address})

    with pytest.raises(ValidationError) as refused:
        row.full_clean()

    assert "privacy_url" in refused.value.message_dict


def test_a_notice_needs_the_default_languages_text_and_dates_in_order():
    row = Notice(text={}, starts_on=day(3), ends_on=day(1))

    with pytest.raises(ValidationError) as refused:
        row.full_clean()

    assert set(refused.value.message_dict) == {"text", "ends_on"}


def test_the_practice_has_one_row_whatever_is_saved():
    PracticeProfile(phone="1").save()
    PracticeProfile(pk=7, phone="2").save()

    assert list(PracticeProfile.objects.values_list("pk", "phone")) == [(1, "2")]
    assert PracticeProfile.load().phone == "2"
