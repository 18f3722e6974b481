"""Parameters every page accepts (the interface language) are not a lab's unknown settings."""

from core import urlparams


def test_the_language_parameter_is_no_notice_for_a_lab():
    values, notices = urlparams.parse({"lang": "ko"}, [])
    assert values == {} and notices == []
    _, notices = urlparams.parse({"colour": "red"}, [])
    assert notices and "colour" in notices[0]
