"""A recorded series keeps its English name in the file and is named in the reader's language on the page."""

from core import messages
from core.conv import records as conv_records


def test_a_conv_output_line_is_named_in_the_interface_language():
    assert conv_records.series_label("output channel 2 in row 13") == "output channel 2 in row 13"
    assert conv_records.series_label("my own series") == "my own series"
    messages.set_language("ko")
    try:
        assert conv_records.series_label("output channel 2 in row 13") == "출력 채널 2, 13행"
        assert conv_records.series_label("output channel 0") == "출력 채널 0"
        assert conv_records.series_label("position") == "위치"
        assert conv_records.series_label("my own series") == "my own series"  # the student's own name
    finally:
        messages.set_language("en")
