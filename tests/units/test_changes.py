"""The change link's record: sealed at rest, found only by its link, claimed once, purged."""

from __future__ import annotations

import datetime as dt
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from bookings import changes
from bookings.changes import Appointment, Request
from bookings.models import ChangeRecord

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def appointment(
    days: int = 3, *, minutes: int = 45, name: str = "Gwenllian Prydderch"
) -> Appointment:
    start = timezone.localtime(timezone.now() + dt.timedelta(days=days)).replace(
        hour=10, minute=30, second=0, microsecond=0
    )
    return Appointment(
        practitioner_id=42230,
        practitioner_name="Anna Heddwyn",
        room_id=7323,
        room_name="Treatment Room 2",
        start=start,
        duration_minutes=minutes,
        name=name,
        phone="029 2018 0447",
        email="gwenllian.prydderch@example.org",
        language="cy",
    )


def kept(days: int = 3, **kwargs: object) -> str:
    return changes.keep(appointment(days, **kwargs), confirmation=f"confirmation-{days}-{kwargs}")


def raw_rows() -> str:
    """Every column of every record, as the database holds them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM bookings_changerecord")
        return repr(cursor.fetchall())


def altered(link: str, at: int = 10) -> str:
    return link[:at] + ("A" if link[at] != "A" else "B") + link[at + 1 :]


# --- Keeping and finding -------------------------------------------------------------------


def test_a_kept_appointment_is_found_whole_by_its_link():
    booked = appointment()
    link = changes.keep(booked, confirmation="reference-1")

    change = changes.find(link)

    assert change.appointment == booked
    assert change.appointment.start.tzinfo is not None
    assert (change.link, change.state, change.request, change.requested_at) == (
        link,
        "open",
        None,
        None,
    )
    assert change.moved_to is None


def test_the_start_comes_back_in_the_practice_time_zone(settings):
    settings.TIME_ZONE = "Europe/London"
    in_utc = dt.datetime(2031, 7, 1, 9, 0, tzinfo=dt.UTC)
    link = changes.keep(replace(appointment(), start=in_utc), confirmation="reference-utc")

    start = changes.find(link).appointment.start

    assert start == in_utc
    assert (start.tzinfo, start.hour) == (LONDON, 10)  # 10:00 British Summer Time


def test_each_link_is_a_new_256_bit_random_id():
    links = {kept(days) for days in range(1, 6)}

    assert len(links) == 5
    for link in links:
        assert len(link) == 43  # 32 random bytes, URL-safe base64 without padding
        assert changes._LINK.fullmatch(link)


def test_a_naive_start_is_refused():
    naive = replace(appointment(), start=dt.datetime(2031, 7, 1, 9, 0))

    with pytest.raises(ValueError, match="aware"):
        changes.keep(naive, confirmation="reference-naive")


def test_the_database_holds_neither_the_patient_nor_the_link_nor_the_confirmation():
    link = changes.keep(appointment(), confirmation="the-confirmation-reference")

    rows = raw_rows()

    for secret in (
        "Gwenllian",
        "Prydderch",
        "gwenllian.prydderch@example.org",
        "029 2018 0447",
        "Anna Heddwyn",
        "Treatment Room 2",
        link,
        "the-confirmation-reference",
    ):
        assert secret not in rows
    assert "sealed" not in rows and "gAAAAA" in rows  # a Fernet token, version byte 0x80


def test_a_link_altered_by_one_character_finds_nothing():
    link = kept()

    for position in (0, 21, 42):
        assert changes.find(altered(link, position)) is None
    assert changes.find(link) is not None


@pytest.mark.parametrize(
    "link", ["", "short", "../../etc/passwd" + "x" * 27, "x" * 44, "é" * 43, None, 42]
)
def test_anything_but_a_link_finds_nothing(link):
    kept()

    assert changes.find(link) is None
    assert changes.claim(link, Request.CANCEL) is False


def test_a_record_whose_sealed_appointment_was_swapped_for_anothers_finds_nothing():
    mine, theirs = kept(3), kept(4)
    sealed = ChangeRecord.objects.values_list("sealed", flat=True)
    their_sealed = sealed.get(link_digest=changes.crypto.digest(theirs))
    ChangeRecord.objects.filter(link_digest=changes.crypto.digest(mine)).update(sealed=their_sealed)

    assert changes.find(mine) is None
    assert changes.find(theirs) is not None


def test_a_record_sealed_with_an_unknown_key_finds_nothing(settings):
    link = kept()
    settings.BOOKING_RECORD_KEY = [Fernet.generate_key().decode()]

    assert changes.find(link) is None


def test_the_confirmation_page_finds_its_link_and_no_other():
    link = changes.keep(appointment(), confirmation="reference-A")
    changes.keep(appointment(4), confirmation="reference-B")

    assert changes.link_for("reference-A") == link
    assert changes.link_for("reference-C") is None


# --- Once only -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "state"), [(Request.CANCEL, "cancel"), (Request.MOVE, "moving")]
)
def test_a_link_is_claimed_once_and_remembers_what_and_when(request_, state):
    link = kept()
    before = timezone.now()

    assert changes.claim(link, request_) is True
    assert changes.claim(link, request_) is False
    assert changes.claim(link, Request.CANCEL) is False

    change = changes.find(link)
    assert (change.request, change.state) == (request_, state)
    assert before <= change.requested_at <= timezone.now()


def test_claiming_one_link_leaves_the_others_open():
    first, second = kept(3), kept(4)

    assert changes.claim(first, Request.CANCEL)

    assert changes.find(second).state == "open"
    assert changes.claim(second, Request.MOVE)


def test_an_appointment_that_has_ended_cannot_be_claimed():
    link = kept(-1)

    assert changes.claim(link, Request.CANCEL) is False
    assert changes.find(link).state == "open"  # still found, until purged: the page says "started"


@pytest.mark.django_db(transaction=True)
def test_two_claims_at_once_on_one_database_let_one_through():
    links = [kept(3), kept(4), kept(5)]
    together = threading.Barrier(8, timeout=10)

    def claim(n: int) -> tuple[str, bool]:
        link = links[n % 3]
        try:
            together.wait()
            return link, changes.claim(link, Request.CANCEL if n % 2 else Request.MOVE)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(claim, range(8)))

    for link in links:
        assert [won for claimed, won in results if claimed == link].count(True) == 1


# --- After the claim -----------------------------------------------------------------------


def test_a_move_that_booked_nothing_opens_the_link_again():
    link = kept()
    changes.claim(link, Request.MOVE)

    changes.release(link)

    change = changes.find(link)
    assert (change.state, change.request, change.requested_at) == ("open", None, None)
    assert changes.claim(link, Request.CANCEL)


def test_a_cancel_cannot_be_released():
    link = kept()
    changes.claim(link, Request.CANCEL)

    changes.release(link)

    assert changes.find(link).state == "cancel"


def test_a_move_that_booked_keeps_the_new_appointment_sealed():
    link = kept()
    changes.claim(link, Request.MOVE)
    new = appointment(9, minutes=30)

    changes.moved(link, new)

    change = changes.find(link)
    assert (change.state, change.request, change.moved_to) == ("moved", Request.MOVE, new)
    assert "Prydderch" not in raw_rows()
    assert changes.claim(link, Request.CANCEL) is False


def test_a_move_whose_outcome_was_lost_is_not_offered_again():
    link = kept()
    changes.claim(link, Request.MOVE)

    changes.unknown(link)

    change = changes.find(link)
    assert (change.state, change.request, change.moved_to) == ("unknown", Request.MOVE, None)
    changes.release(link)
    assert changes.find(link).state == "unknown"
    assert changes.claim(link, Request.MOVE) is False


def test_a_move_cut_short_is_shown_as_unknown_once_no_request_can_still_be_booking_it():
    link, cut_short = kept(3), kept(4)
    changes.claim(link, Request.MOVE)
    changes.claim(cut_short, Request.MOVE)
    # Its worker was killed, or the database failed as the outcome was written.
    long_ago = timezone.now() - changes.MOVING_AT_MOST - dt.timedelta(seconds=1)
    ChangeRecord.objects.filter(pk=ChangeRecord.objects.order_by("pk").last().pk).update(
        requested_at=long_ago
    )

    assert changes.find(link).state == "moving"  # still in hand: "being booked"
    assert (changes.find(cut_short).state, changes.find(cut_short).request) == (
        "unknown",
        Request.MOVE,
    )
    assert changes.claim(cut_short, Request.MOVE) is False


def test_moved_and_unknown_need_a_move_in_progress():
    link = kept()

    changes.moved(link, appointment(9))
    changes.unknown(link)

    assert changes.find(link).state == "open"


# --- The purge -----------------------------------------------------------------------------


def test_the_purge_removes_what_has_ended_and_nothing_else():
    ended, ending_later, future = kept(-2), kept(0, minutes=24 * 60), kept(30)
    ten_minutes_ago = timezone.localtime(timezone.now() - dt.timedelta(minutes=10))
    started = changes.keep(replace(appointment(), start=ten_minutes_ago), confirmation="started")

    assert changes.purge() == 1

    assert changes.find(ended) is None
    for link in (ending_later, future, started):
        assert changes.find(link) is not None


def test_the_purge_uses_the_end_of_the_appointment_not_its_start():
    link = kept(3, minutes=60)
    start = changes.find(link).appointment.start

    assert changes.purge(now=start + dt.timedelta(minutes=59)) == 0
    assert changes.purge(now=start + dt.timedelta(minutes=60)) == 1
    assert changes.find(link) is None


def test_the_purge_command_says_how_many_it_deleted(capsys):
    kept(-3), kept(-2), kept(5)

    call_command("purge_change_records")

    assert "2 change record(s) of past appointments deleted." in capsys.readouterr().out
    assert ChangeRecord.objects.count() == 1


# --- Key rotation --------------------------------------------------------------------------


def test_a_new_first_key_still_reads_records_sealed_with_the_old(settings):
    old = settings.BOOKING_RECORD_KEY[0]
    link = kept()
    new = Fernet.generate_key().decode()

    settings.BOOKING_RECORD_KEY = [new, old]

    assert changes.find(link).appointment.name == "Gwenllian Prydderch"
    fresh = kept(7)
    settings.BOOKING_RECORD_KEY = [new]
    assert changes.find(fresh) is not None  # sealed with the new key
    assert changes.find(link) is None


def test_resealing_moves_every_record_to_the_first_key(settings, capsys):
    old = settings.BOOKING_RECORD_KEY[0]
    link = kept()
    changes.claim(link, Request.MOVE)
    changes.moved(link, appointment(9))
    new = Fernet.generate_key().decode()
    settings.BOOKING_RECORD_KEY = [new, old]

    call_command("purge_change_records", "--reseal")

    assert "1 change record(s) resealed." in capsys.readouterr().out
    settings.BOOKING_RECORD_KEY = [new]
    change = changes.find(link)
    assert change.appointment.name == "Gwenllian Prydderch"
    assert change.moved_to == appointment(9)


# --- The admin -----------------------------------------------------------------------------


def test_the_admin_shows_counts_by_state_and_never_a_record(admin_client):
    link = kept(3)
    kept(4)
    changes.claim(link, Request.CANCEL)
    record = ChangeRecord.objects.get(link_digest=changes.crypto.digest(link))

    counts = admin_client.get("/admin/bookings/changerecord/")
    one = admin_client.get(f"/admin/bookings/changerecord/{record.pk}/change/")

    assert counts.status_code == 200
    said = " ".join(re.sub(r"<[^>]+>", " ", counts.content.decode()).split())
    assert "cancel 1" in said and "open 1" in said and "all 2" in said
    for secret in ("Gwenllian", "gwenllian.prydderch@example.org", "Anna Heddwyn", link, "gAAAAA"):
        assert secret not in counts.content.decode()
    assert one.status_code == 404
