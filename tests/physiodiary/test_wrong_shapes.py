"""JSON that is not of the documented shape is a garbled answer, never a half-read result."""

import pytest
import responses

from physiodiary import Unavailable, UnknownOutcome

from ..client.support import ACTIONS, READ_ACTIONS, VENDOR_URL, recorded_json

MISSING = object()


def changed(fixture, *path_and_value):
    """The recorded answer with one value replaced (or removed, with MISSING)."""
    *path, value = path_and_value
    data = recorded_json(fixture)
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    if value is MISSING:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return data


STAFF = "staffList.json"
SECTIONS = "sectionList.json"
FREE = "freeList.json"
BOOKED = "book-confirmed.json"

WRONG_SHAPES = {
    "staffList": {
        "no staff": changed(STAFF, "staff", MISSING),
        "staff not a list": changed(STAFF, "staff", {"id": 42228, "name": "John"}),
        "an id as text": changed(STAFF, "staff", 0, "id", "42228"),
        "an id as a bool": changed(STAFF, "staff", 0, "id", True),
        "an id as a float": changed(STAFF, "staff", 0, "id", 42228.0),
        "no name": changed(STAFF, "staff", 0, "name", MISSING),
        "a null name": changed(STAFF, "staff", 0, "name", None),
        "a member that is not an object": changed(STAFF, "staff", 0, "John"),
        "the section list instead": recorded_json(SECTIONS),
    },
    "sectionList": {
        "no sections": changed(SECTIONS, "sections", MISSING),
        "an id as text": changed(SECTIONS, "sections", 1, "id", "7323"),
        "an id as a bool": changed(SECTIONS, "sections", 1, "id", False),
        "a name as a number": changed(SECTIONS, "sections", 2, "name", 3),
        "the staff list instead": recorded_json(STAFF),
    },
    "freeList": {
        "no slot length": changed(FREE, "slotLength", MISSING),
        "a slot length as text": changed(FREE, "slotLength", "45"),
        "a slot length of zero": changed(FREE, "slotLength", 0),
        "a negative slot length": changed(FREE, "slotLength", -45),
        "a slot length as a bool": changed(FREE, "slotLength", True),
        "no free list": changed(FREE, "free", MISSING),
        "a free list that is an object": changed(FREE, "free", {"20171007": ["1415"]}),
        "a day that is not an object": changed(FREE, "free", 0, "20171007"),
        "a day without times": changed(FREE, "free", 0, "times", MISSING),
        "times that are not a list": changed(FREE, "free", 0, "times", "1415"),
        "a date with dashes": changed(FREE, "free", 0, "date", "2017-10-07"),
        "a date of month 13": changed(FREE, "free", 0, "date", "20171307"),
        "a date of 31 September": changed(FREE, "free", 0, "date", "20170931"),
        "a date as a number": changed(FREE, "free", 0, "date", 20171007),
        "a date too short": changed(FREE, "free", 0, "date", "2017107"),
        "a time with a colon": changed(FREE, "free", 0, "times", 0, "14:15"),
        "a time of minute 60": changed(FREE, "free", 0, "times", 0, "1460"),
        "a time of hour 24": changed(FREE, "free", 0, "times", 0, "2400"),
        "a time as a number": changed(FREE, "free", 0, "times", 0, 1415),
        "a time too long": changed(FREE, "free", 0, "times", 0, "14150"),
        "a time with a sign": changed(FREE, "free", 0, "times", 0, "+915"),
        "a staff id as a bool": changed(FREE, "staffId", True),
        "a staff id as text": changed(FREE, "staffId", "43"),
        "no staff name": changed(FREE, "staffName", MISSING),
        "a null section id": changed(FREE, "sectionId", None),
        "a section name as a number": changed(FREE, "sectionName", 2),
    },
    "book": {
        "no result": changed(BOOKED, "result", MISSING),
        "a result other than Confirmed": changed(BOOKED, "result", "Pending"),
        "a result in lower case": changed(BOOKED, "result", "confirmed"),
        "a result as a bool": changed(BOOKED, "result", True),
        "no duration": changed(BOOKED, "duration", MISSING),
        "a duration of zero": changed(BOOKED, "duration", 0),
        "a duration as text": changed(BOOKED, "duration", "45"),
        "no date": changed(BOOKED, "date", MISSING),
        "a date in another format": changed(BOOKED, "date", "07/10/2017"),
        "no time": changed(BOOKED, "time", MISSING),
        "a time without its leading zero": changed(BOOKED, "time", "745"),
        "a time of minute 60": changed(BOOKED, "time", "0760"),
        "no section": changed(BOOKED, "section", MISSING),
        "a null staff": changed(BOOKED, "staff", None),
        "the free list instead": recorded_json(FREE),
    },
}

CASES = [
    pytest.param(action, body, id=f"{action}: {name}")
    for action, shapes in WRONG_SHAPES.items()
    for name, body in shapes.items()
]


@pytest.mark.parametrize(("action", "body"), CASES)
def test_it_treats_an_answer_of_the_wrong_shape_as_garbled(action, body, mocked, client, sleeps):
    mocked.add(responses.POST, VENDOR_URL, json=body)

    with pytest.raises(Unavailable) as raised:
        ACTIONS[action](client)

    assert raised.value.reason == "bad-shape"
    if action in READ_ACTIONS:
        assert type(raised.value) is Unavailable
        assert len(mocked.calls) == 3
    else:
        # Something answered, but not a confirmation we can read.
        assert type(raised.value) is UnknownOutcome
        assert len(mocked.calls) == 1
