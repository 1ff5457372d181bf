"""The activity counts on their way to the console (bookings/activity.py).

A page counts in the shared cache, never in the database; the counts reach
`DailyCount` once a response has been sent (at most once a minute across
servers), when the console's activity page is opened, and when the timer
purges. Each count is written once: none lost, none twice. Across processes
and servers, with Redis and the database cache: tests/deploy/test_activity_counts.py.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import request_finished
from django.db import DatabaseError, close_old_connections
from django.http import HttpResponse
from django.test import Client, RequestFactory

from bookings import activity, clock
from bookings.models import DailyCount

from .wizard_support import html


@pytest.fixture(autouse=True)
def _fresh_process(monkeypatch):
    # As a newly started worker: nothing counted, free to ask whether a flush is due.
    monkeypatch.setattr(activity, "_counted", False)
    monkeypatch.setattr(activity, "_next_ask", 0.0)


def written() -> dict[str, int]:
    return dict(DailyCount.objects.filter(day=clock.today()).values_list("event", "count"))


def waiting(event: str) -> int | None:
    return cache.get(activity._key(clock.today(), event))


def sent(response: HttpResponse) -> None:
    """What a server does once it has written the response's last byte, as Django's
    test client does it: the test's database connection stays open."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def test_a_count_is_one_cache_increment_and_no_database_statement(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        activity.count("step-times")
        activity.count("step-times")

    assert waiting("step-times") == 2
    assert written() == {}


def test_a_pages_counts_reach_the_cache_once_it_has_been_sent_not_while_it_is_made(db):
    def page(request):
        activity.count("step-times")
        activity.count("step-times")
        assert waiting("step-times") is None  # no cache round trip for the patient to wait for
        return HttpResponse("the page")

    response = activity.counting(page, RequestFactory().get("/times/"))
    assert waiting("step-times") is None

    sent(response)

    # Added, then written by the flush due after this response: its own counts included.
    assert written() == {"step-times": 2}
    assert waiting("step-times") == 0


def test_a_page_that_fails_to_add_its_counts_is_still_sent(db, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(activity, "_add_one", refuse)
    response = activity.counting(
        lambda request: activity.count("booked") or HttpResponse("the page"),
        RequestFactory().get("/"),
    )

    sent(response)  # no exception reaches the server

    assert response.content == b"the page"


def test_the_counts_reach_the_database_once_a_response_has_been_sent(db):
    activity.count("step-times")
    response = activity.after(HttpResponse("the page"))
    assert written() == {}  # not while the patient waits for the page

    sent(response)

    assert written() == {"step-times": 1}
    assert waiting("step-times") == 0


def test_counts_are_written_at_most_once_a_minute_across_servers(db, monkeypatch):
    activity.count("step-times")
    sent(activity.after(HttpResponse()))
    activity.count("step-times")
    monkeypatch.setattr(activity, "_next_ask", 0.0)  # past this process's few seconds
    sent(activity.after(HttpResponse()))
    assert written() == {"step-times": 1}  # another flush within the minute: none

    cache.delete(activity.FLUSH_DUE)  # the minute is over
    monkeypatch.setattr(activity, "_next_ask", 0.0)
    sent(activity.after(HttpResponse()))

    assert written() == {"step-times": 2}


def test_a_process_asks_whether_a_flush_is_due_only_every_few_seconds(db, monkeypatch):
    asked = []
    add = cache.add

    def add_and_note(key, *args, **kwargs):
        asked.append(key)
        return add(key, *args, **kwargs)

    monkeypatch.setattr(activity.cache, "add", add_and_note)
    for _ in range(5):
        activity.count("step-times")
        sent(activity.after(HttpResponse()))

    assert asked.count(activity.FLUSH_DUE) == 1


def test_a_process_that_counted_nothing_never_asks(db, monkeypatch):
    monkeypatch.setattr(activity, "flush_if_due", lambda: pytest.fail("asked"))
    sent(activity.after(HttpResponse()))


def test_every_page_hands_its_counts_on_after_it_is_sent(client, db):
    client.get("/privacy/")
    activity.count("step-choose")

    client.get("/privacy/")  # counts nothing itself: any response may write them

    assert written() == {"step-choose": 1}


def test_counts_made_while_a_flush_runs_wait_for_the_next(db, monkeypatch):
    activity.count("booked")
    add = activity._add

    def meanwhile(day, event, n):
        activity.count("booked")  # another page, while this flush writes
        add(day, event, n)

    monkeypatch.setattr(activity, "_add", meanwhile)
    assert activity.flush() == 1
    monkeypatch.setattr(activity, "_add", add)

    assert written() == {"booked": 1}
    assert waiting("booked") == 1
    assert activity.flush() == 1
    assert written() == {"booked": 2}


def test_a_database_that_refuses_the_counts_leaves_them_for_the_next_flush(db, monkeypatch):
    for _ in range(3):
        activity.count("booked")

    def refuse(*args):
        raise DatabaseError("the database is read-only")

    monkeypatch.setattr(activity, "_add", refuse)
    activity.flush_quietly()
    assert written() == {}
    assert waiting("booked") == 3
    monkeypatch.undo()

    assert activity.flush() == 3
    assert activity.flush() == 0
    assert written() == {"booked": 3}


def test_a_flush_after_a_response_that_fails_never_reaches_the_patient(client, db, monkeypatch):
    def refuse(*args):
        raise DatabaseError("the database is read-only")

    monkeypatch.setattr(activity, "_add", refuse)
    activity.count("step-choose")
    assert client.get("/privacy/").status_code == 200
    assert waiting("step-choose") == 1


def test_a_cache_that_fails_to_count_costs_the_patient_nothing(client, db, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(activity, "_add_one", refuse)
    assert client.get("/privacy/").status_code == 200


def test_one_flush_at_a_time_across_servers(db):
    activity.count("booked")
    cache.add(activity.FLUSHING, 1, 60)  # another server's flush, under way

    assert activity.flush() is None
    assert waiting("booked") == 1
    cache.delete(activity.FLUSHING)
    assert activity.flush() == 1


def test_yesterdays_counts_are_written_to_yesterday(db):
    yesterday = clock.today() - dt.timedelta(days=1)
    cache.set(activity._key(yesterday, "booked"), 4)

    activity.flush()

    assert DailyCount.objects.get(day=yesterday, event="booked").count == 4


def test_the_console_shows_counts_not_yet_written(db, django_user_model):
    user = django_user_model.objects.create_user("reception", password="a-long-passphrase")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name="Practice staff"))
    staff = Client()
    staff.force_login(user)
    for _ in range(7):
        activity.count("booked")

    page = html(staff.get("/admin/practice/activity/"))

    today = page.split('<tr><th scope="row">')[1]
    assert '<td class="number">7</td>' in today
    assert written() == {"booked": 7}


def test_the_timer_writes_the_counts_before_it_purges(db):
    activity.count("cancel-requested")

    call_command("purge_change_records", stdout=io.StringIO())

    assert written() == {"cancel-requested": 1}
