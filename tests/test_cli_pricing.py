"""`royalty compare` with issue 5's options, and `royalty rates`, end to end."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from cli_run import COMPARE_COLUMNS, by_artist, run, run_json
from royalty import schema, store


def two_month_history() -> pd.DataFrame:
    """A: Jan×3, Feb×1; B: Jan×1, Feb×3 (track x three times for A, y for B)."""
    rows = [
        ("2012-01-02", "A", "x"),
        ("2012-01-03", "A", "x"),
        ("2012-01-04", "A", "x"),
        ("2012-01-05", "B", "y"),
        ("2012-02-02", "A", "z"),
        ("2012-02-03", "B", "y"),
        ("2012-02-04", "B", "y"),
        ("2012-02-05", "B", "w"),
    ]
    frame = pd.DataFrame(
        {
            "played_at": pd.to_datetime([r[0] for r in rows], utc=True),
            "artist": [r[1] for r in rows],
            "track": [r[2] for r in rows],
            "album": ["al-" + r[1] for r in rows],
        }
    )
    return schema.normalize(frame, source="test")


# --- rates ---------------------------------------------------------------------


def test_rates_json_lists_the_ten_services_with_their_sources() -> None:
    rows = run_json("rates")
    assert isinstance(rows, list) and len(rows) == 10
    keys = ["service", "rate", "low", "high", "level", "currency", "year", "source"]
    assert all(list(r) == keys for r in rows)
    by = {r["service"]: r for r in rows}
    assert by["tidal"]["rate"] == 0.0125 and by["apple-music"]["year"] == 2024
    assert {r["level"] for r in rows} == {"rights holder"}


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv"])
def test_rates_other_formats(fmt: str) -> None:
    code, out, _ = run("rates", "--format", fmt)
    assert code == 0
    assert "apple-music" in out and "Duetti 2024" in out
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert len(rows) == 10 and float(rows[0]["rate"]) == 0.003
    else:
        assert "rights-holder level, USD" in out


def write_config(text: str) -> None:
    from royalty.config import config_path

    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def test_rates_and_compare_read_config_overrides() -> None:
    write_config('[rates.qobuz]\nrate = 0.02\nyear = 2024\nsource = "a statement"\n')
    rows = run_json("rates")
    assert isinstance(rows, list) and rows[-1]["service"] == "qobuz"
    radiohead = by_artist(run_json("compare", "--service", "qobuz"))["Radiohead"]
    assert radiohead["streaming_payout"] == pytest.approx(2800 * 0.02)


def test_a_bad_config_row_is_one_error_line() -> None:
    write_config("[rates.tidal]\nrate = -1\n")
    code, out, err = run("rates")
    assert code == 1 and out == "" and err.startswith("Error: ") and "rates.tidal" in err


# --- levels and deals -------------------------------------------------------------


def test_the_essays_numbers_at_a_third_of_a_cent() -> None:
    rows = by_artist(run_json("compare", "--rate", "0.0033333"))
    assert round(float(rows["Radiohead"]["streaming_payout"]), 2) == 9.33  # type: ignore[arg-type]
    assert round(float(rows["SJD"]["streaming_payout"]), 2) == 5.00  # type: ignore[arg-type]


def test_service_alone_is_the_rights_holder_level() -> None:
    code, out, _ = run("compare", "--service", "tidal", "--top", "3")
    assert code == 0
    assert "rights holder level, USD" in out and "Sources:" in out and "Songtrust" in out
    row = by_artist(run_json("compare", "--service", "tidal"))["Radiohead"]
    assert row["streaming_payout"] == pytest.approx(2800 * 0.0125)
    assert row["cd_payout"] == pytest.approx(int(row["albums"]) * 10.75)  # type: ignore[call-overload]
    assert list(row) == COMPARE_COLUMNS


@pytest.mark.parametrize(("deal", "share", "cd"), [("major", 0.18, 1.40), ("diy", 1.0, 8.0)])
def test_deals(deal: str, share: float, cd: float) -> None:
    row = by_artist(run_json("compare", "--service", "apple-music", "--deal", deal))["SJD"]
    assert row["streaming_payout"] == pytest.approx(1500 * 0.0062 * share)
    assert row["cd_payout"] == pytest.approx(int(row["albums"]) * cd)  # type: ignore[call-overload]


def test_artist_share_and_cd_margin() -> None:
    args = ("compare", "--service", "spotify", "--artist-share", "0.25", "--cd-margin", "2")
    row = by_artist(run_json(*args))["SJD"]
    assert row["streaming_payout"] == pytest.approx(1500 * 0.003 * 0.25)
    assert row["cd_payout"] == pytest.approx(int(row["albums"]) * 2.0)  # type: ignore[call-overload]


def test_with_meta_wraps_the_array() -> None:
    doc = run_json(
        "compare", "--service", "spotify", "--deal", "indie", "--with-meta", "--top", "2"
    )
    assert isinstance(doc, dict)
    assert list(doc) == ["parameters", "level", "currency", "sources", "artists"]
    assert doc["level"] == "artist" and doc["currency"] == "USD"
    assert doc["parameters"]["deal"] == "indie" and doc["parameters"]["artist_share"] == 0.5
    assert "Brabec" in doc["sources"]["artist_share"]
    assert len(doc["artists"]) == 2 and list(doc["artists"][0]) == COMPARE_COLUMNS


def test_with_meta_on_the_foundation_says_artist_level() -> None:
    doc = run_json("compare", "--with-meta", "--top", "1")
    assert isinstance(doc, dict) and doc["level"] == "artist"
    assert "third of a cent" in doc["sources"]["rate"]


# --- models -------------------------------------------------------------------------


def test_user_centric_on_a_stored_user_by_hand() -> None:
    store.merge("two", two_month_history())
    args = ("compare", "--user", "two", "--deal", "indie", "--model", "user-centric")
    doc = run_json(*args, "--fee", "10", "--vat", "0.25", "--payout-ratio", "0.8", "--with-meta")
    assert isinstance(doc, dict)
    rows = by_artist(doc["artists"])
    # 10 / 1.25 × 0.8 × 0.5 = 3.20 a month. A: 3/4 + 1/4 of it; B: 1/4 + 3/4.
    assert rows["A"]["user_centric_payout"] == pytest.approx(3.20)
    assert rows["B"]["user_centric_payout"] == pytest.approx(3.20)
    assert rows["A"]["pro_rata_payout"] == pytest.approx(4 * 0.0030 * 0.5)
    assert rows["A"]["streaming_payout"] == rows["A"]["user_centric_payout"]
    months = doc["user_centric_months"]
    assert [m["month"] for m in months] == ["2012-01", "2012-02"]
    assert [m["rate"] for m in months] == pytest.approx([0.8, 0.8])
    code, out, _ = run(*args, "--fee", "10", "--vat", "0.25", "--payout-ratio", "0.8")
    assert code == 0 and "Implied rate per stream" in out and "over 2 months" in out


def test_downloads_on_a_stored_user_by_hand() -> None:
    store.merge("two", two_month_history())
    rows = by_artist(
        run_json("compare", "--user", "two", "--deal", "major", "--model", "downloads")
    )
    # A: track x 3 plays; B: track y 3 plays. 0.99 × 0.70 × 0.18 each.
    assert rows["A"]["download_payout"] == pytest.approx(0.99 * 0.70 * 0.18)
    assert list(rows["A"]) == [*COMPARE_COLUMNS, "download_payout"]
    two = by_artist(
        run_json(
            "compare", "--user", "two", "--deal", "none", "--model", "downloads",
            "--min-track-plays", "1", "--track-price", "1.29",
        )
    )  # fmt: skip
    assert two["B"]["download_payout"] == pytest.approx(2 * 1.29 * 0.70)


def test_currency_at_the_rate_you_gave() -> None:
    usd = by_artist(run_json("compare"))["Radiohead"]
    nzd = by_artist(run_json("compare", "--currency", "nzd", "--fx", "1.25"))["Radiohead"]
    assert nzd["streaming_payout"] == pytest.approx(1.25 * usd["streaming_payout"])  # type: ignore[operator]
    assert nzd["breakeven_plays"] == usd["breakeven_plays"]
    code, out, _ = run("compare", "--currency", "NZD", "--fx", "1.25", "--top", "2")
    assert code == 0 and "at the rate you gave" in out and "Streaming (NZD)" in out


def test_project_to_adds_the_projected_columns() -> None:
    rows = by_artist(run_json("compare", "--project-to", "2099-01-01", "--top", "3"))
    row = rows["Radiohead"]
    assert list(row)[-3:] == [
        "projected_plays",
        "projected_streaming_payout",
        "projected_crossover_date",
    ]
    assert float(row["projected_plays"]) > int(row["plays"])  # type: ignore[arg-type]
    assert row["projected_streaming_payout"] == pytest.approx(
        float(row["projected_plays"]) / 300  # type: ignore[arg-type]
    )


def test_csv_and_markdown_carry_the_added_columns(tmp_path: Path) -> None:
    target = tmp_path / "uc.csv"
    args = ["compare", "--deal", "diy", "--model", "user-centric", "--top", "4"]
    code, _, _ = run(*args, "--format", "csv", "--output", str(target))
    assert code == 0
    header = target.read_text("utf-8").splitlines()[0].split(",")
    assert header == [*COMPARE_COLUMNS, "pro_rata_payout", "user_centric_payout"]
    code, out, _ = run(*args, "--format", "markdown")
    assert code == 0 and out.startswith("### Streaming against CD income")
    assert "User-centric (USD)" in out and "artist level, USD" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--service", "spotifye"], "unknown service"),
        (["--rate", "0.003", "--service", "spotify"], "not both"),
        (["--rate", "0.003", "--deal", "major"], "already reaches the artist"),
        (["--service", "tidal", "--artist-share", "1.5"], "artist-share"),
        (["--service", "tidal", "--artist-share", "-0.2"], "artist-share"),
        (["--deal", "major", "--model", "user-centric", "--fee", "-1"], "--fee"),
        (["--deal", "major", "--model", "user-centric", "--vat", "-0.1"], "--vat"),
        (["--deal", "major", "--model", "user-centric", "--payout-ratio", "2"], "payout-ratio"),
        (["--currency", "NZD", "--fx", "0"], "--fx"),
        (["--currency", "NZD", "--fx", "-1"], "--fx"),
        (["--currency", "NZD"], "does not guess"),
        (["--fx", "1.2"], "--currency"),
        (["--project-to", "2001-01-01"], "in the past"),
        (["--project-to", "someday"], "as a date"),
        (["--model", "user-centric"], "rights-holder money"),
        (["--model", "pro-rata", "--model", "user-centric"], "one streaming model"),
        (["--deal", "major", "--fee", "10"], "only apply with --model user-centric"),
        (["--deal", "major", "--track-price", "1"], "only apply with --model downloads"),
        (["--with-meta"], "--format json"),
    ],
)
def test_bad_input_gives_one_error_line(args: list[str], message: str) -> None:
    code, out, err = run("compare", *args)
    assert code == 1
    assert out == ""
    assert err.startswith("Error: ") and message in err
    assert len(err.strip().splitlines()) == 1


def test_an_unknown_deal_is_a_usage_error() -> None:
    code, out, _ = run("compare", "--deal", "label")
    assert code == 2 and out == ""
