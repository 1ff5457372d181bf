import pytest

pytestmark = pytest.mark.browser


def test_a_patient_sees_the_practices_staff_and_rooms(site, page, screenshot):
    page.goto(site.url + "/")
    assert page.get_by_role("heading", name="Book an appointment").is_visible()
    practitioners = page.get_by_role("region", name="Our practitioners")
    for name in ("John", "Anna", "Jayne", "Chris", "Demo User"):
        assert practitioners.get_by_text(name, exact=True).is_visible()
    rooms = page.get_by_role("region", name="Our rooms")
    for name in ("Treatment Room 1", "Treatment Room 2", "Treatment Room 3"):
        assert rooms.get_by_text(name, exact=True).is_visible()
    screenshot("start-page")
