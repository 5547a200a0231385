"""The Last.fm importer against the fake server: completeness, paging, increments, limits.

Expectations come from the fake's own list of plays, never from the importer.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from fake_lastfm import API_KEY, FakeLastfm, Play
from fake_lastfm_plays import expected_rows, make_plays, stored_rows
from royalty import store
from royalty.importers import _lastfm_pages, lastfm_api


@pytest.fixture
def fake() -> Iterator[FakeLastfm]:
    with FakeLastfm(latency=0.005) as server:
        yield server


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_lastfm_pages, "BACKOFF_BASE", 0.01)


def run(fake: FakeLastfm, user: str = "rj", **kw: Any) -> lastfm_api.ImportSummary:
    kw.setdefault("max_rps", 40)
    kw.setdefault("timeout", 5.0)
    return lastfm_api.import_user(user, api_key=API_KEY, api_url=fake.url, **kw)


def pages_requested(fake: FakeLastfm) -> list[int]:
    return [int(r.params["page"]) for r in fake.requests]


def test_full_import_is_exact_with_mbids_and_no_now_playing(fake: FakeLastfm) -> None:
    fake.add_plays(make_plays(1234))
    fake.now_playing = Play(uts=0, artist="Playing Now", track="Not Yet A Play")
    summary = run(fake)
    assert stored_rows("rj") == expected_rows(fake.plays)
    assert summary.new_plays == summary.total_plays == summary.window_plays == 1234
    # 1234 plays at 200 a page is 7 pages: each requested once, 200 at a time
    assert sorted(pages_requested(fake)) == [1, 2, 3, 4, 5, 6, 7]
    assert {r.params["limit"] for r in fake.requests} == {"200"}
    assert summary.requests == 7
    assert summary.retries == 0
    frame = store.load("rj")
    assert set(frame["source"].astype(str)) == {"lastfm-api"}
    assert frame["artist_mbid"].notna().sum() == sum(1 for p in fake.plays if p.artist_mbid)


@pytest.mark.parametrize("n", [1, 199, 200, 201, 1000, 2001])
def test_request_count_is_within_the_bound(fake: FakeLastfm, n: int) -> None:
    fake.add_plays(make_plays(n, seed=n))
    summary = run(fake)
    assert len(fake.requests) <= math.ceil(n / 200) + 3
    assert summary.requests == len(fake.requests)
    assert stored_rows("rj") == expected_rows(fake.plays)


def test_to_is_pinned_and_from_absent_on_a_first_import(fake: FakeLastfm) -> None:
    fake.add_plays(make_plays(450))
    before = int(time.time())
    run(fake)
    tos = {int(r.params["to"]) for r in fake.requests}
    assert len(tos) == 1
    assert before <= tos.pop() <= int(time.time())
    assert all("from" not in r.params for r in fake.requests)


def test_incremental_run_fetches_only_from_the_newest_stored_play(fake: FakeLastfm) -> None:
    plays = make_plays(900)
    fake.add_plays(plays[:600])
    run(fake)
    newest = plays[599].uts
    fake.add_plays(plays[600:])
    fake.requests.clear()
    summary = run(fake)
    assert stored_rows("rj") == expected_rows(plays)
    assert summary.new_plays == 300
    assert summary.total_plays == 900
    assert {int(r.params["from"]) for r in fake.requests} == {newest}
    assert len(fake.requests) == 2  # 301 plays from the newest stored one on: 2 pages
    fake.requests.clear()
    again = run(fake)
    assert again.new_plays == 0
    assert len(fake.requests) == 1
    assert stored_rows("rj") == expected_rows(plays)


def test_a_newer_play_from_another_source_does_not_move_the_start(fake: FakeLastfm) -> None:
    """A Spotify file imported after the last Last.fm run may end later than Last.fm's
    plays; the next run must still fetch every scrobble since the newest Last.fm one."""
    import pandas as pd

    from royalty import schema

    plays = make_plays(900)
    fake.add_plays(plays[:600])
    run(fake)
    later = pd.Timestamp(plays[899].uts + 86_400, unit="s", tz="UTC")
    other = pd.DataFrame({"played_at": [later], "artist": ["Elsewhere"], "track": ["Only"]})
    store.merge("rj", schema.normalize(other, source="spotify-extended"))
    fake.add_plays(plays[600:])
    fake.requests.clear()
    summary = run(fake)
    assert {int(r.params["from"]) for r in fake.requests} == {plays[599].uts}
    assert summary.new_plays == 300
    stored = store.load("rj")
    api = stored[stored["source"] == "lastfm-api"]
    assert len(api) == 900
    assert (stored["source"] == "spotify-extended").sum() == 1


def test_since_limits_a_first_import(fake: FakeLastfm) -> None:
    plays = make_plays(500, step=3600)
    fake.add_plays(plays)
    cut = datetime.fromtimestamp(plays[123].uts, UTC)
    summary = run(fake, since=cut.replace(tzinfo=None))  # naive means UTC
    assert stored_rows("rj") == expected_rows(plays[123:])
    assert summary.new_plays == 377
    assert {int(r.params["from"]) for r in fake.requests} == {plays[123].uts}


def test_empty_history(fake: FakeLastfm) -> None:
    summary = run(fake)
    assert summary.new_plays == summary.total_plays == 0
    assert summary.first_play is None
    assert len(fake.requests) == 1
    assert not store.has_user("rj")


def test_same_second_duplicates_across_every_page_boundary(
    fake: FakeLastfm, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Commit after every page, so that every boundary is a possible commit point.
    monkeypatch.setattr(_lastfm_pages, "COMMIT_SECONDS", 0.0)
    base = make_plays(1000)
    plays: list[Play] = []
    for p in base:  # every play listed twice, a few three times: same second, artist, track
        plays += [p, p] + ([p] if p.uts % 7 == 0 else [])
    fake.add_plays(plays)
    # Sanity of the set-up: offsets 199 and 200 (newest first) share a second.
    newest_first = sorted(plays, key=lambda p: p.uts, reverse=True)
    assert newest_first[199].uts == newest_first[200].uts
    run(fake)
    assert stored_rows("rj") == expected_rows(plays)


def test_names_with_non_ascii_ampersands_brackets_and_quotes(fake: FakeLastfm) -> None:
    names = ["Sigur Rós", "AC/DC & <Friends>", 'Say "Hi"', "it's ünïcødé ✓ 𝄞", "a&amp;b", "  x "]
    plays = [
        Play(1_600_000_000 + i, names[i % 6], names[(i + 1) % 6], names[(i + 2) % 6])
        for i in range(30)
    ]
    fake.add_plays(plays)
    run(fake)
    assert stored_rows("rj") == expected_rows(plays)
    assert "AC/DC & <Friends>" in set(store.load("rj")["artist"].astype(str))


def test_plays_scrobbled_during_the_import_wait_for_the_next_run(fake: FakeLastfm) -> None:
    fake.add_plays(make_plays(1000))
    live: list[Play] = []

    def scrobble() -> None:  # arrives while pages are being fetched, stamped "now"
        live.extend(Play(int(time.time()), "Live", f"Now {k}") for k in range(3))
        fake.add_plays(live)

    fake.after(3, scrobble)
    first = run(fake)
    assert first.new_plays == 1000
    assert stored_rows("rj") == expected_rows(fake.plays[:1000])
    time.sleep(max(0.0, max(p.uts for p in live) + 1 - time.time()))
    run(fake)
    assert stored_rows("rj") == expected_rows(fake.plays)


def test_a_late_scrobble_inside_the_window_is_not_lost(
    fake: FakeLastfm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_lastfm_pages, "COMMIT_SECONDS", 0.0)
    plays = make_plays(1500)
    fake.add_plays(plays)
    late = Play(plays[700].uts + 1, "Offline", "Synced Late")
    fake.after(4, lambda: fake.add_plays([late]))  # pages shift by one under the import
    summary = run(fake)
    assert stored_rows("rj") == expected_rows([*plays, late])
    assert summary.window_plays == 1501


def test_rate_limit_is_never_exceeded_on_the_server(fake: FakeLastfm) -> None:
    fake.add_plays(make_plays(200 * 30))
    fake.max_rps = 20  # the server answers error 29 above this
    fake.latency = 0.03
    summary = run(fake, max_rps=20)
    assert all(r.outcome == "ok" for r in fake.requests)
    assert fake.max_in_window(1.0) <= 20
    assert summary.retries == 0
    assert stored_rows("rj") == expected_rows(fake.plays)


def test_default_rate_of_five_a_second(fake: FakeLastfm) -> None:
    fake.add_plays(make_plays(200 * 8))
    fake.max_rps = 5
    fake.latency = 0.05
    run(fake, max_rps=lastfm_api.DEFAULT_MAX_RPS)
    assert fake.max_in_window(1.0) <= 5
    assert all(r.outcome == "ok" for r in fake.requests)


def test_user_name_is_validated_before_any_request(fake: FakeLastfm) -> None:
    with pytest.raises(lastfm_api.UsageError):
        run(fake, user="../etc")
    assert fake.requests == []


def test_bad_rate_and_bad_url_are_usage_errors(fake: FakeLastfm) -> None:
    with pytest.raises(lastfm_api.UsageError, match="max-rps"):
        run(fake, max_rps=0)
    with pytest.raises(lastfm_api.UsageError, match="not the root"):
        lastfm_api.import_user("rj", api_key=API_KEY, api_url="ftp://example.org/2.0/")
    assert fake.requests == []


def test_the_fakes_json_shape_matches_its_xml(fake: FakeLastfm) -> None:
    import json
    import xml.etree.ElementTree as ET
    from urllib.request import urlopen

    fake.add_plays(make_plays(5))
    fake.now_playing = Play(0, "N", "P")
    query = f"?method=user.getRecentTracks&user=rj&api_key={API_KEY}&limit=3&page=1"
    with urlopen(fake.url + query) as reply:
        xml_tracks = ET.fromstring(reply.read()).find("recenttracks")
    with urlopen(fake.url + query + "&format=json") as reply:
        data = json.loads(reply.read())["recenttracks"]
    assert xml_tracks is not None
    assert data["@attr"]["total"] == xml_tracks.get("total") == "5"
    assert [t.findtext("name") for t in xml_tracks] == [t["name"] for t in data["track"]]
    assert data["track"][0]["@attr"] == {"nowplaying": "true"}
