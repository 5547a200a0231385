"""Fuzzing a Last.fm page: any reply body ends in plays, a retry or one of our errors."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fake_lastfm import FakeLastfm, Play
from royalty.importers._lastfm_plays import BadPlay, frame, sort_rows
from royalty.importers._lastfm_wire import WireProblem, _parse_ok, read_page

PLAYS = [
    Play(1_600_000_000 + 60 * i, f"Artist {i}", f"Track {i}", "Album", "", "", "") for i in range(3)
]
VALID = FakeLastfm(PLAYS)._ok({"limit": "200", "page": "1"}).encode()
STARTED = 1_700_000_000


def outcome(body: bytes) -> str:
    root = _parse_ok(body)
    if root is None:
        return "malformed"  # pylast then finds it malformed: a retry
    try:
        page = read_page(root)
    except WireProblem:
        return "retry"
    try:
        rows, _ = sort_rows(page.rows, started=STARTED, skip_bad=False)
    except BadPlay:
        return "bad play"
    plays = frame(rows)
    assert len(plays) == len(rows)
    return "plays"


def test_the_valid_page_gives_its_plays() -> None:
    assert outcome(VALID) == "plays"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, len(VALID)), st.integers(0, 8), st.binary(max_size=12)),
        min_size=1,
        max_size=4,
    )
)
def test_a_mutated_page_never_raises_anything_else(edits: list[tuple[int, int, bytes]]) -> None:
    body = VALID
    for at, cut, insert in edits:
        body = body[:at] + insert + body[at + cut :]
    outcome(body)


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=12),
    st.sampled_from(["uts", "page", "perPage", "totalPages", "total"]),
)
def test_any_attribute_value_never_raises_anything_else(value: str, name: str) -> None:
    from xml.sax.saxutils import quoteattr

    body = VALID.decode().replace(f'{name}="', f'{name}={quoteattr(value)} x{name}="', 1)
    outcome(body.encode())
