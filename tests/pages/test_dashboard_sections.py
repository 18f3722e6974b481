"""AppTest for the dashboard's sections: today's prompt with its button, lab cards with their last
use, recent entries in the day's order, experiments only once there are some."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import APP


def markdown(at: AppTest) -> str:
    return "\n".join(element.value for element in at.markdown)


def test_lab_cards_show_each_labs_last_use(app):
    assert "Labs" in [subheader.value for subheader in app.subheader]
    assert [link.proto.label for link in app.get("page_link") if link.proto.page.endswith("_lab")] == [
        "Convolution lab", "BPTT explorer"
    ]
    text = markdown(app)
    assert ":small[Last used 2021-08-05 · :material/school: [CNN first steps](notes?note=2021-08-05-cnn-first-steps)]" \
        in text
    assert "Last used 2021-08-05 · :material/calculate: [Backpropagation for a linear RNN]" in text, \
        "the day's later note (the assignment after the lecture) is the last use"


def test_a_lab_without_a_paired_note_says_so(notes_dir):
    for path in notes_dir.glob("*.md"):
        path.write_text(path.read_text(encoding="utf-8").replace("labs: [conv]", "labs: []"), encoding="utf-8")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert any("no note pairs with this lab yet" in caption.value for caption in at.caption)


def test_recent_entries_follow_the_days_order_and_stay_in_the_app(app):
    [entries] = [m.value for m in app.markdown if m.value.startswith("- :material/school: [2021-08-05 · CNN")]
    titles = [line.split(" · ", 1)[1].split("](")[0] for line in entries.split("\n")]
    assert titles == ["CNN first steps", "RNN first steps", "Backpropagation for a linear RNN", "Mentor meeting",
                      "AI and mathematics", "Daily retrospective"]
    assert "(notes?note=2021-08-05-mentor-meeting)" in entries


def test_recent_experiments_appear_once_there_are_experiment_records(app, notes_dir):
    assert "Recent experiments" not in [subheader.value for subheader in app.subheader]
    (notes_dir / "2021-08-06-conv-stride.md").write_text(
        "---\ndate: 2021-08-06\ntype: experiment\nlabs: [conv]\n---\n# Stride 2 halves the output\n", encoding="utf-8"
    )
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "Recent experiments" in [subheader.value for subheader in at.subheader]
    assert "[2021-08-06 · Stride 2 halves the output](notes?note=2021-08-06-conv-stride)" in markdown(at)
    assert "Last used 2021-08-06 · :material/science: [Stride 2 halves the output]" in markdown(at)


def test_read_only_mode_has_no_start_button(notes_dir, monkeypatch):
    monkeypatch.setenv("STUDYLAB_READONLY", "1")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "No entry for today" not in markdown(at), "no question the reader can do nothing about"
    assert "/write" not in " ".join(str(link.proto) for link in at.get("page_link"))


def test_today_block_offers_todays_til_until_a_journal_note_is_dated_today(notes_dir):
    import datetime as dt

    today = dt.date.today().isoformat()
    (notes_dir / f"{today}-run.md").write_text(
        f"---\ntitle: Stride 2 run\ndate: {today}\ntype: experiment\nlab: conv\ntab: 2d\nparams: {{stride: 2}}\n---\n"
        "# Stride 2 run\n", encoding="utf-8")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    links = {link.proto.label: link.proto for link in at.get("page_link")}
    assert "Write today's TIL" in links, "a recorded lab run is not today's entry"
    assert "No journal entry yet today" in markdown(at)
    reopen = links["Reopen in the Convolution lab"]
    assert reopen.page.endswith("conv_lab") and "tab=2d" in reopen.query_string and "stride=2" in reopen.query_string
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Current streak"] == "0 days", "today's lab run keeps no streak alive"

    (notes_dir / f"{today}-peer.md").write_text(
        f"---\ntitle: Peer session\ndate: {today}\ntype: peer-session\n---\n# Peer session\n", encoding="utf-8")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "Write today's TIL" not in [link.proto.label for link in at.get("page_link")]
    assert "**Today's entry** · streak 1 day" in markdown(at)
    assert f"[Peer session](notes?note={today}-peer)" in markdown(at)
