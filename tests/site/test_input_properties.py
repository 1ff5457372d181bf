"""Whatever a link or a form holds, the wizard answers with a page of its own, never a 500.

Hypothesis writes the input: any text (control characters, NUL, any script,
very long), digits of other scripts ("٣"), numbers, "any", raw bytes that are
not UTF-8, and values one character away from a valid one. Each goes into one
query parameter of a page, or one field of a details form that was valid
until then, through Django's test client and the fake diary.

What must hold, whatever the input:

- no 5xx;
- a query value that `wizard.malformed` refuses reaches no freeList or book
  call (the times and details pages answer 400 before asking the diary);
- `book` is called only with the genuine token, at most once, and only for
  the free time the token was issued for;
- a page that shows the form again shows what was typed, escaped.

Posts with a field twice or missing, and bodies over Django's limits, are
tried as well: the limits must give the 400 page, not a 500.
"""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import quote, quote_from_bytes, urlsplit

import pytest
from django.conf import settings as django_settings
from django.http import QueryDict
from django.utils.html import escape
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bookings import wizard
from bookings.forms import DetailsForm

from .wizard_support import (
    ANNA,
    PATIENT,
    ROOM_2,
    WHEN,
    FakeDiary,
    day,
    details_url,
    hhmm,
    html,
    open_details,
    submit,
    valid_post,
    ymd,
)

#: Hypothesis's settings for these tests: the fixtures (client, fake diary)
#: are shared by a test's examples, which is what we want here.
PROPERTY = settings(
    max_examples=100,
    deadline=None,
    database=None,  # nothing written into the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: Distinct inputs tried, by test: reported at the end of the module.
TRIED: dict[str, set] = defaultdict(set)


@pytest.fixture(scope="module", autouse=True)
def _report_inputs_tried(request):
    yield
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    total = sum(len(inputs) for inputs in TRIED.values())
    if reporter and capture and total:
        counts = ", ".join(f"{name} {len(inputs)}" for name, inputs in sorted(TRIED.items()))
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\n{__name__}: {total} distinct inputs tried ({counts})")


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN)
    return diary


# --- What Hypothesis tries -------------------------------------------------------------

#: Values people and programs have typed into links and forms.
KNOWN = st.sampled_from(
    [
        "",
        " ",
        "any",
        "ANY",
        "Any",
        "any ",
        "٣",  # Arabic-Indic three: \d and str.isdigit take it, int() too
        "²",  # superscript two: str.isdigit takes it, int() does not
        "١٢٣٤",
        "٢٠٢٦٠١٠١",
        "\uff10\uff11\uff12\uff13",  # full-width digits
        "0",
        "00",
        "-1",
        "+1",
        " 1",
        "1 ",
        "1\x00",
        "\x00",
        "1e3",
        "0x1f",
        "1_000",
        "1.0",
        "NaN",
        "inf",
        "99999999999999999999999999",
        "true",
        "null",
        "[]",
        "{}",
        "%00",
        "%ZZ",
        "\r\n",
        "\u202e",  # right-to-left override
        "\ufeff",
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "' OR 1=1 --",
        "&amp;&lt;",
        "{{ 7*7 }}",
        "{% debug %}",
        "../../etc/passwd",
        "fred@smith.example\r\nBcc: all@example.com",
        "ü@ü.de",
        "a@b",
        "@",
        "01632 960 001",
        "07700900982",
        "+44 (0) 1632-960.001",
        "1" * 21,
        "24000101",
        "20261301",
        "20260230",
        "00010101",
        "99991231",
        "2400",
        "1260",
        "0130",  # skipped when the clocks go forward in March
        "0000",
        "2359",
        "20260101-1415-42230-7323",
        "20260101-1415-0-0",
        "any.any",
        "42230.any",
        "any.",
        ".",
        "1",
        "2",
    ]
)

#: One character away from valid, or valid: these get past `malformed` to the pages.
NEAR_VALID = st.one_of(
    st.from_regex(r"[0-9]{1,14}", fullmatch=True),
    st.from_regex(r"[0-9]{8}-[0-9]{4}-[0-9]{1,13}-[0-9]{1,13}", fullmatch=True),
    st.from_regex(r"(any|[0-9]{1,13})\.(any|[0-9]{1,13})", fullmatch=True),
    st.integers(-400, 400).map(lambda offset: ymd(day(offset))),
    st.tuples(st.integers(0, 29), st.integers(0, 59)).map(lambda t: f"{t[0]:02d}{t[1]:02d}"),
    st.tuples(st.integers(-2, 100), st.sampled_from(["0900", "1415", "2015", "0130"])).map(
        lambda t: f"{ymd(day(t[0]))}-{t[1]}-{ANNA}-{ROOM_2}"
    ),
)

#: Long values, built by repetition so Hypothesis need not draw every character.
LONG = st.tuples(st.text(min_size=1, max_size=8), st.integers(100, 5000)).map(
    lambda t: (t[0] * t[1])[: t[1]]
)

HOSTILE = st.one_of(
    st.text(),  # any character a str may hold: controls, NUL, any script
    st.text(st.characters(codec="ascii"), max_size=30),
    st.text(st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=14),
    st.integers().map(str),
    st.floats().map(str),
    KNOWN,
    NEAR_VALID,
    LONG,
)

#: For a query string: also bytes that are not UTF-8 at all, sent percent-encoded.
RAW_BYTES = st.binary(min_size=1, max_size=40)


def encoded(value: str | bytes) -> str:
    if isinstance(value, bytes):
        return quote_from_bytes(value, safe="")
    return quote(value, safe="")


def query_string(pairs: list[tuple[str, str | bytes]]) -> str:
    return "&".join(f"{encoded(key)}={encoded(value)}" for key, value in pairs)


def calls(diary: FakeDiary, *actions: str) -> int:
    return sum(len(diary.calls(action)) for action in actions)


# --- Any value in any query parameter ----------------------------------------------------

BOOKED = "booked"  # stands for /booked/<ref>/, whose reference each test makes

#: Each page, with the query string of a link of ours to it.
PAGES = {
    "/": {"staffId": str(ANNA), "sectionId": str(ROOM_2)},
    "/times/": {"staffId": str(ANNA), "sectionId": str(ROOM_2)},
    "/details/": {
        "staffId": str(ANNA),
        "sectionId": str(ROOM_2),
        "date": ymd(WHEN),
        "time": hhmm(WHEN),
    },
    BOOKED: {},
}

#: Every parameter of the wizard, and some it does not know.
QUERY_PARAMETERS = st.one_of(
    st.sampled_from([*wizard.PARAMETERS, "utm_source", "staffid", "staffId[]"]),
    st.text(min_size=1, max_size=20).filter(lambda name: name not in wizard.PARAMETERS),
)


@pytest.fixture
def booked_path(client, diary) -> str:
    """The confirmation page of a booking made through the site."""
    page = submit(client, WHEN)
    assert page.status_code == 303
    return page["Location"]


@PROPERTY
@given(
    page=st.sampled_from(sorted(PAGES)),
    name=QUERY_PARAMETERS,
    value=st.one_of(HOSTILE, RAW_BYTES),
)
def test_any_value_in_any_query_parameter_gives_a_page_and_asks_nothing_if_malformed(
    client, diary, booked_path, page, name, value
):
    TRIED["query"].add((page, name, value))
    pairs = [(key, old) for key, old in PAGES[page].items() if key != name] + [(name, value)]
    query = query_string(pairs)
    path = booked_path if page == BOOKED else page
    before = calls(diary, "freeList", "book")

    response = client.get(f"{path}?{query}")

    assert response.status_code < 500, (path, query)
    event(f"{page} {response.status_code}")
    # The site's own reading of the query, as the view sees it.
    if wizard.malformed(QueryDict(query)):
        event("malformed")
        assert calls(diary, "freeList", "book") == before, (path, query)
        if page in ("/times/", "/details/"):
            assert response.status_code == 400
            assert "this link is not valid" in html(response)
    if page == BOOKED:
        assert response.status_code == 200  # a query string of any kind cannot hide it


# --- Any value in any field of the details form ---------------------------------------

#: Every field of the details form, and what only some posts have.
FORM_FIELDS = [
    "name",
    "phone",
    "email",
    "desc",
    "token",
    "staffId",
    "sectionId",
    "date",
    "time",
    "slot",
    "review",
    "website",
]
#: What the patient types, and the longest value each field takes.
TYPED = {
    name: DetailsForm.base_fields[name].max_length for name in ("name", "phone", "email", "desc")
}


def post(client, data: list[tuple[str, str]] | dict[str, str]):
    """The details form posted as a browser posts it: urlencoded, in this order."""
    pairs = list(data.items()) if isinstance(data, dict) else data
    return client.post(
        details_url(WHEN),
        query_string(pairs),
        content_type="application/x-www-form-urlencoded",
    )


def shows_the_form(response) -> bool:
    return 'name="name"' in html(response)


def control(response, name: str) -> str:
    """The form control named `name`, as the page has it."""
    found = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', html(response))
    assert found, f"no input named {name}"
    return found[0]


def assert_shows_typed(response, typed: dict[str, str]) -> None:
    """What was typed in the patient's fields is back in them, escaped."""
    for name, value in typed.items():
        if name == "desc":
            area = re.search(
                r'<textarea[^>]*\bname="desc"[^>]*>(.*?)</textarea>', html(response), re.S
            )
            assert area, "no textarea named desc"
            assert escape(value) in area[1], f"desc not kept: {value!r}"
        elif value == "":
            assert 'value="' not in control(response, name)
        else:
            assert f'value="{escape(value)}"' in control(response, name), (
                f"{name} not kept: {value!r}"
            )


def assert_answered_in_place(response, tried) -> None:
    """No 5xx, and no redirect back a step: a post carries what was typed (views.booking.post)."""
    assert response.status_code < 500, tried
    assert response.status_code in (200, 303, 400, 409, 429, 503), (response.status_code, tried)


def assert_booked_only_the_tokens_time(diary: FakeDiary, before: int) -> int:
    """At most one `book` for this post, and only for the free time its token was for."""
    made = diary.calls("book")[before:]
    assert len(made) <= 1
    for payload in made:
        assert (payload["staffId"], payload["sectionId"], payload["date"], payload["time"]) == (
            ANNA,
            ROOM_2,
            ymd(WHEN),
            hhmm(WHEN),
        )
    return len(made)


def typed_values(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """What the form shows for the patient's fields: the last value of each, as Django reads."""
    return {name: value for name, value in pairs if name in TYPED}


@PROPERTY
@given(field=st.sampled_from(FORM_FIELDS), value=HOSTILE)
def test_any_value_in_any_field_of_the_form_books_only_with_the_genuine_token(
    client, diary, field, value
):
    TRIED["form field"].add((field, value))
    token = open_details(client, WHEN)
    data = valid_post(token, WHEN)
    data[field] = value
    before = len(diary.calls("book"))

    response = post(client, data)

    assert_answered_in_place(response, (field, value))
    event(f"{field}: {response.status_code}")
    booked = assert_booked_only_the_tokens_time(diary, before)
    if (
        (field == "token" and value != token)
        or (field == "website" and value != "")
        # "Check my details" books nothing; no other time was offered for "slot".
        or field in ("review", "slot")
    ):
        assert not booked, (field, value)
    if booked:
        assert response.status_code == 303
        assert urlsplit(response["Location"]).path.startswith("/booked/")
    if shows_the_form(response):
        # Values longer than a field takes are refused, and still shown.
        typed = typed_values(list(data.items()))
        assert_shows_typed(response, typed)
        if field in TYPED and len(value) <= TYPED[field] and value.strip():
            event("kept a typed value within max_length")


@settings(PROPERTY, max_examples=60)
@given(
    field=st.sampled_from(FORM_FIELDS),
    value=st.one_of(st.none(), HOSTILE),  # None: the same value again
    again_first=st.booleans(),
)
def test_a_field_posted_twice_gives_a_page_and_books_at_most_once(
    client, diary, field, value, again_first
):
    TRIED["field twice"].add((field, value, again_first))
    token = open_details(client, WHEN)
    data = valid_post(token, WHEN)
    original = data.get(field, "1")
    again = original if value is None else value
    pairs = list(data.items()) if field in data else [*data.items(), (field, original)]
    extra = (field, again)
    pairs = [extra, *pairs] if again_first else [*pairs, extra]
    before = len(diary.calls("book"))

    response = post(client, pairs)

    assert_answered_in_place(response, (field, value))
    event(f"{field} twice: {response.status_code}")
    booked = assert_booked_only_the_tokens_time(diary, before)
    if field in wizard.PARAMETERS and original != "" and again != "":
        # Given twice: changed by hand. Refused before anything else.
        assert response.status_code == 400
        assert not booked
    if field == "token" and [sent for name, sent in pairs if name == "token"][-1] != token:
        assert not booked  # Django reads the last of a field's values
    if shows_the_form(response):
        assert_shows_typed(response, typed_values(pairs))


@settings(PROPERTY, max_examples=40)
@given(
    missing=st.sets(
        st.sampled_from(["token", "staffId", "sectionId", "date", "time", *TYPED]), min_size=1
    )
)
def test_missing_fields_give_a_page_and_book_nothing_without_what_booking_needs(
    client, diary, missing
):
    TRIED["fields missing"].add(frozenset(missing))
    token = open_details(client, WHEN)
    data = {key: value for key, value in valid_post(token, WHEN).items() if key not in missing}
    before = len(diary.calls("book"))

    response = post(client, data)

    assert_answered_in_place(response, missing)
    if missing & {"staffId", "sectionId", "date", "time"}:
        assert response.status_code == 400  # changed by hand: no free time to show
    event(f"missing: {response.status_code}")
    booked = assert_booked_only_the_tokens_time(diary, before)
    if missing - {"desc"}:
        assert not booked, missing
    if shows_the_form(response):
        assert_shows_typed(response, typed_values(list(data.items())))


# --- Bodies and queries over Django's limits ----------------------------------------------


def fill(size: int) -> str:
    return "x" * size


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_a_body_over_the_upload_limit_gets_the_400_page_and_books_nothing(
    client, diary, content_type
):
    token = open_details(client, WHEN)
    data = valid_post(token, WHEN, desc=fill(django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    if content_type.startswith("multipart"):
        response = client.post(details_url(WHEN), data)
    else:
        response = post(client, data)
    assert response.status_code == 400
    assert "this form could not be read" in html(response)
    assert not diary.calls("book")


def test_a_body_just_under_the_limit_gets_the_form_back_with_the_lengths_error(client, diary):
    token = open_details(client, WHEN)
    data = valid_post(token, WHEN)
    room = django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE - len(query_string(list(data.items())))
    data["desc"] = fill(room - 1)  # "x" needs no escaping, so the body is just under
    response = post(client, data)
    assert response.status_code == 400
    assert "Reason for your visit must be 500 characters or fewer" in html(response)
    assert_shows_typed(response, typed_values(list(data.items())))
    assert not diary.calls("book")


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        (django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS, 303),
        (django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1, 400),
    ],
    ids=["at the limit", "over the limit"],
)
def test_a_post_with_too_many_fields_gets_the_400_page(client, diary, fields, status):
    token = open_details(client, WHEN)
    pairs = list(valid_post(token, WHEN).items())
    pairs += [(f"extra{n}", "1") for n in range(fields - len(pairs))]
    assert len(pairs) == fields
    response = post(client, pairs)
    assert response.status_code == status
    assert len(diary.calls("book")) == (1 if status == 303 else 0)


@pytest.mark.parametrize("page", ["/", "/times/", "/details/"])
def test_a_query_with_too_many_parameters_gets_the_400_page(client, diary, page):
    pairs = list(PAGES[page].items())
    pairs += [("utm", str(n)) for n in range(django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)]
    response = client.get(f"{page}?{query_string(pairs)}")
    assert response.status_code == 400
    assert not diary.calls("freeList")


def test_what_was_typed_is_kept_when_the_patients_fields_are_hostile(client, diary):
    """One post with every typed field at its longest and full of markup: all kept."""
    hostile = {name: ("<\"&'>" * length)[:length] for name, length in TYPED.items()}
    token = open_details(client, WHEN)
    response = post(client, valid_post(token, WHEN, **hostile))
    assert response.status_code == 400
    assert_shows_typed(response, hostile)
    assert PATIENT["name"] not in html(response)
    assert not diary.calls("book")


# --- Found by the properties above ---------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("date", None), ("time", ""), ("staffId", "0"), ("sectionId", None)],
    ids=["date missing", "time empty", "staffId 0", "sectionId missing"],
)
def test_a_post_without_its_free_time_is_refused_not_sent_back_a_step(client, diary, field, value):
    """Was a 302 back to the times or choose page, dropping what was typed."""
    token = open_details(client, WHEN)
    response = post(client, valid_post(token, WHEN, **{field: value}))
    assert response.status_code == 400
    assert not diary.calls("book")
