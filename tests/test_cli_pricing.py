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

CPI = {2004: 188.9, 2010: 218.056, 2012: 229.594, 2013: 232.957, 2016: 240.007, 2019: 255.657}
"""CPI-U annual averages (BLS CUUR0000SA0), typed from PRICING-FACTS.md."""

RATE_KEYS = [
    "figure", "service", "name", "year", "cited_year", "borrowed", "value", "low", "high",
    "unit", "level", "side", "source",
]  # fmt: skip


def test_rates_json_lists_every_services_yearly_figures_with_sources() -> None:
    rows = run_json("rates")
    assert isinstance(rows, list) and all(list(r) == RATE_KEYS for r in rows)
    rates = [r for r in rows if r["figure"] == "rate"]
    assert len({r["service"] for r in rates}) == 10
    spotify = [r["year"] for r in rates if r["service"] == "spotify"]
    assert spotify == [2013, 2014, 2016, 2017, 2018, 2019, 2024]
    tidal = next(r for r in rates if r["service"] == "tidal")
    assert (tidal["value"], tidal["year"], tidal["level"]) == (0.0125, 2019, "rights holder")
    assert all(r["source"] for r in rows)
    figures = {r["figure"] for r in rows}
    assert {"mechanical_per_track", "cd_label_receipts", "fee"} <= figures


def test_rates_for_one_year_borrow_the_nearest_cited_year() -> None:
    rows = run_json("rates", "--year", "2013")
    assert isinstance(rows, list)
    by = {(r["figure"], r["service"]): r for r in rows}
    spotify = by[("rate", "spotify")]
    assert (spotify["value"], spotify["borrowed"]) == (0.007, False)
    tidal = by[("rate", "tidal")]  # cited for 2019 only: carried back by CPI-U
    assert tidal["borrowed"] and tidal["cited_year"] == 2019
    assert tidal["value"] == pytest.approx(0.0125 * CPI[2013] / CPI[2019])
    assert by[("mechanical_per_track", None)]["value"] == 0.091
    code, out, _ = run("rates", "--year", "2013")
    assert code == 0 and "2013 *2019" in out and "232.957" in out


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv"])
def test_rates_other_formats(fmt: str) -> None:
    code, out, _ = run("rates", "--format", fmt)
    assert code == 0
    assert "apple-music" in out and "Duetti 2024" in out
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert len(rows) == len(run_json("rates"))  # type: ignore[arg-type]
    else:
        assert "rights holders for the recording" in out


def write_config(text: str) -> None:
    from royalty.config import config_path

    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def test_rates_and_compare_read_config_overrides() -> None:
    write_config(
        '[rates.qobuz]\nrate = 0.02\nsource = "a statement"\n'
        '[rates.spotify]\nrate = 0.005\nyear = 2012\nsource = "my 2012 statement"\n'
    )
    rows = run_json("rates")
    assert isinstance(rows, list)
    qobuz = [r for r in rows if r["service"] == "qobuz"]
    assert len(qobuz) == 1 and qobuz[0]["year"] is None  # one figure for every year
    # A flat figure is used as given in every year, whatever --dollars says.
    radiohead = by_artist(run_json("compare", "--service", "qobuz", "--dollars", "2004"))
    assert radiohead["Radiohead"]["streaming_payout"] == pytest.approx(2800 * 0.02)
    store.merge("y2012", one_album_history(2012))
    row = by_artist(run_json("compare", "--user", "y2012", "--service", "spotify"))["A"]
    assert row["streaming_payout"] == pytest.approx(12 * 0.005)  # the config's 2012 figure


def test_a_bad_config_row_is_one_error_line() -> None:
    write_config("[rates.tidal]\nrate = -1\n")
    code, out, err = run("rates")
    assert code == 1 and out == "" and err.startswith("Error: ") and "rates.tidal" in err


# --- levels and deals -------------------------------------------------------------


def test_the_essays_numbers_at_a_third_of_a_cent() -> None:
    rows = by_artist(run_json("compare", "--rate", "0.0033333"))
    assert round(float(rows["Radiohead"]["streaming_payout"]), 2) == 9.33  # type: ignore[arg-type]
    assert round(float(rows["SJD"]["streaming_payout"]), 2) == 5.00  # type: ignore[arg-type]


def one_album_history(year: int) -> pd.DataFrame:
    """A: 12 plays of album "al", three tracks (t1×6, t2×4, t3×2) in ``year``; B: 2 plays."""
    tracks = ["t1"] * 6 + ["t2"] * 4 + ["t3"] * 2
    times = [f"{year}-03-{day:02d}" for day in range(1, 13)] + [f"{year}-04-01", f"{year}-04-02"]
    frame = pd.DataFrame(
        {
            "played_at": pd.to_datetime(times, utc=True),
            "artist": ["A"] * 12 + ["B", "B"],
            "track": [*tracks, "u", "u"],
            "album": ["al"] * 12 + [None, None],
        }
    )
    return schema.normalize(frame, source="test")


def test_service_alone_is_the_rights_holder_level() -> None:
    code, out, _ = run("compare", "--service", "tidal", "--top", "3")
    assert code == 0
    assert "rights holder level" in out and "Sources:" in out and "Songtrust" in out
    assert "no figure for 2006-2013" in out  # Tidal's one figure is of 2019
    row = by_artist(run_json("compare", "--service", "tidal", "--dollars", "2019"))["Radiohead"]
    assert row["streaming_payout"] == pytest.approx(2800 * 0.0125)  # carried back, then forward
    assert list(row) == COMPARE_COLUMNS
    store.merge("y2012", one_album_history(2012))
    rows = by_artist(run_json("compare", "--user", "y2012", "--service", "tidal"))
    a = rows["A"]
    # In dollars of 2012: the label's 10.75 of 2004 carried by CPI-U, less 10 tracks × 9.1¢.
    receipts = 10.75 * CPI[2012] / CPI[2004]
    assert a["cd_payout"] == pytest.approx(receipts - 10 * 0.091)
    assert a["cd_payout_low"] == pytest.approx(7.59 * CPI[2012] / CPI[2004] - 0.91)
    assert a["streaming_payout"] == pytest.approx(12 * 0.0125 * CPI[2012] / CPI[2019])
    assert a["verdict"] == "cds" and a["albums"] == 1
    b = rows["B"]  # no album name: no CD, nothing to compare
    assert (b["albums"], b["streams_without_album"], b["verdict"]) == (0, 2, "no-cd")


def apple_2016(share: float) -> float:
    """12 streams at Apple Music's 2016 figure (2012 borrows it), in dollars of 2016."""
    return 12 * 0.00735 * share


@pytest.mark.parametrize(
    ("deal", "share", "cd"),
    [
        ("major", 0.18, 1.40 * CPI[2016] / CPI[2004]),
        ("diy", 1.0, 8.00 * CPI[2016] / CPI[2010] - 0.91 * CPI[2016] / CPI[2012]),
        ("indie", 0.425, 0.5 * (2.58 * CPI[2016] / CPI[2004] - 0.91 * CPI[2016] / CPI[2012])),
    ],
)
def test_deals_take_their_share_of_master_money_only(deal: str, share: float, cd: float) -> None:
    store.merge("y2012", one_album_history(2012))
    args = ("compare", "--user", "y2012", "--service", "apple-music", "--dollars", "2016")
    row = by_artist(run_json(*args, "--deal", deal))["A"]
    assert row["streaming_payout"] == pytest.approx(apple_2016(share))
    assert row["cd_payout"] == pytest.approx(cd)
    # Publishing is the songwriter's in full, whatever the deal: the 2012 headline rate 10.5%
    # over the recording share 58.6% per stream; 9.1¢ × the 3 tracks played on the CD.
    pub = by_artist(run_json(*args, "--deal", deal, "--side", "publishing"))["A"]
    assert pub["streaming_payout"] == pytest.approx(apple_2016(0.105 / 0.586))
    assert pub["cd_payout"] == pytest.approx(3 * 0.091 * CPI[2016] / CPI[2012])
    both = by_artist(run_json(*args, "--deal", deal, "--side", "both"))["A"]
    for column in ("streaming_payout", "cd_payout", "streaming_payout_low", "cd_payout_high"):
        assert both[column] == pytest.approx(float(row[column]) + float(pub[column]))


def test_artist_share_and_cd_margin_are_flat() -> None:
    store.merge("y2012", one_album_history(2012))
    args = ("compare", "--user", "y2012", "--service", "spotify", "--artist-share", "0.25")
    row = by_artist(run_json(*args, "--cd-margin", "2", "--dollars", "2020"))["A"]
    spotify_2012 = 0.007 * CPI[2012] / CPI[2013]  # borrowed from 2013, carried back
    assert row["streaming_payout"] == pytest.approx(12 * spotify_2012 * 0.25 * 258.811 / CPI[2012])
    assert row["cd_payout"] == 2.0  # the value you gave, in every year as given
    doc = run_json(*args, "--cd-margin", "2", "--with-meta")
    assert isinstance(doc, dict)
    assert "the value you gave" in doc["sources"]["cd"]
    assert "the value you gave" in doc["sources"]["artist_share"]


def test_with_meta_wraps_the_array() -> None:
    doc = run_json(
        "compare", "--service", "spotify", "--deal", "indie", "--with-meta", "--top", "2"
    )
    assert isinstance(doc, dict)
    assert list(doc) == [
        "parameters", "level", "side", "dollars", "currency", "sources", "borrowed", "verdicts",
        "artists",
    ]  # fmt: skip
    assert (doc["level"], doc["side"], doc["dollars"], doc["currency"]) == (
        "artist", "master", 2013, "USD"
    )  # fmt: skip
    assert doc["parameters"]["deal"] == "indie"
    assert "Brabec" in doc["sources"]["artist_share"]
    assert doc["borrowed"]["Spotify rate per stream (carried by CPI-U)"] == list(range(2006, 2013))
    assert sum(doc["verdicts"].values()) == 1514
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
    # 10 / 1.25 × 0.8 × 0.425 = 2.72 a month. A: 3/4 + 1/4 of it; B: 1/4 + 3/4.
    assert rows["A"]["user_centric_payout"] == pytest.approx(2.72)
    assert rows["B"]["user_centric_payout"] == pytest.approx(2.72)
    # Pro-rata: Spotify's 2013 figure carried back to 2012, in dollars of 2012 (the last play).
    assert rows["A"]["pro_rata_payout"] == pytest.approx(4 * 0.007 * CPI[2012] / CPI[2013] * 0.425)
    assert rows["A"]["streaming_payout"] == rows["A"]["user_centric_payout"]
    months = doc["user_centric_months"]
    assert [m["month"] for m in months] == ["2012-01", "2012-02"]
    assert [m["rate"] for m in months] == pytest.approx([0.68, 0.68])
    share = doc["fee_share"]  # rights-holder level: 10 / 1.25 × 0.8 = 6.40 a month
    assert (share["months"], share["fees"]) == (2, pytest.approx(16.0))
    assert share["user_centric"] == pytest.approx(12.8)
    assert "the value you gave" in doc["sources"]["fee"]
    code, out, _ = run(*args, "--fee", "10", "--vat", "0.25", "--payout-ratio", "0.8")
    assert code == 0 and "rate per stream (USD) over 2 months" in out
    assert "Of your fees, $16.00 over 2 months" in out


def test_user_centric_fee_follows_the_months_prices() -> None:
    frame = pd.DataFrame(
        {
            "played_at": pd.to_datetime(["2023-06-10", "2023-07-10", "2024-07-10"], utc=True),
            "artist": ["A", "A", "A"],
            "track": ["t", "t", "t"],
        }
    )
    store.merge("fees", schema.normalize(frame, source="test"))
    args = ("compare", "--user", "fees", "--deal", "none", "--model", "user-centric")
    doc = run_json(*args, "--dollars", "2023", "--with-meta")
    assert isinstance(doc, dict)
    # 9.99 in June 2023, 10.99 from July 2023, 11.99 from July 2024 (in dollars of 2023).
    pools = [m["payout"] / 0.586 for m in doc["user_centric_months"]]
    assert pools == pytest.approx([9.99, 10.99, 11.99 * 304.702 / 313.689])
    code, out, err = run(*args, "--market", "nz")
    assert code == 1 and out == "" and "--fx" in err
    doc = run_json(
        *args, "--market", "nz", "--currency", "NZD", "--fx", "1.5", "--dollars", "2023",
        "--with-meta",
    )  # fmt: skip
    assert isinstance(doc, dict)  # NZ$12.99 with GST 15%: in NZD again after the round trip
    assert doc["user_centric_months"][0]["payout"] == pytest.approx(12.99 / 1.15 * 0.586)


def test_downloads_on_a_stored_user_by_hand() -> None:
    store.merge("two", two_month_history())
    rows = by_artist(
        run_json("compare", "--user", "two", "--deal", "major", "--model", "downloads")
    )
    # A: track x 3 plays in 2012: 0.99 less the store's 30% less 9.1¢ of mechanicals, × 18%.
    assert rows["A"]["download_payout"] == pytest.approx((0.99 * 0.70 - 0.091) * 0.18)
    assert list(rows["A"]) == [*COMPARE_COLUMNS, "download_payout"]
    two = by_artist(
        run_json(
            "compare", "--user", "two", "--deal", "none", "--model", "downloads",
            "--min-track-plays", "1", "--track-price", "1.29",
        )
    )  # fmt: skip
    assert two["B"]["download_payout"] == pytest.approx(2 * (1.29 * 0.70 - 0.091))


def test_currency_at_the_rate_you_gave() -> None:
    usd = by_artist(run_json("compare"))["Radiohead"]
    nzd = by_artist(run_json("compare", "--currency", "nzd", "--fx", "1.25"))["Radiohead"]
    assert nzd["streaming_payout"] == pytest.approx(1.25 * usd["streaming_payout"])  # type: ignore[operator]
    assert nzd["breakeven_plays"] == usd["breakeven_plays"]
    code, out, _ = run("compare", "--currency", "NZD", "--fx", "1.25", "--top", "2")
    assert code == 0 and "NZD at your 1.25 per US dollar of 2013" in out
    assert "Streaming (NZD)" in out


def test_dollars_restate_every_amount_by_cpi() -> None:
    d2013 = by_artist(run_json("compare", "--dollars", "2013"))["Radiohead"]
    d2004 = by_artist(run_json("compare", "--dollars", "2004"))["Radiohead"]
    for column in ("streaming_payout", "cd_payout_high", "difference"):
        assert d2004[column] == pytest.approx(float(d2013[column]) * CPI[2004] / CPI[2013])
    code, out, _ = run("compare", "--dollars", "2004", "--top", "1")
    assert code == 0 and "US dollars of 2004" in out


def test_project_to_any_date_after_the_last_play() -> None:
    rows = by_artist(run_json("compare", "--project-to", "2014-05-01", "--top", "3"))
    row = rows["Radiohead"]
    assert list(row)[-3:] == [
        "projected_plays",
        "projected_streaming_payout",
        "projected_crossover_date",
    ]
    assert float(row["projected_plays"]) > int(row["streams"])  # type: ignore[arg-type]
    assert row["projected_streaming_payout"] == pytest.approx(
        float(row["projected_plays"]) / 300  # type: ignore[arg-type]
    )


def test_project_to_before_the_last_play_is_one_error_line() -> None:
    store.merge("two", two_month_history())
    code, out, err = run("compare", "--user", "two", "--project-to", "2012-02-01")
    assert code == 1 and out == "" and err.startswith("Error: ")
    assert "after the last play (2012-02-05" in err and len(err.strip().splitlines()) == 1


def test_csv_and_markdown_carry_the_added_columns(tmp_path: Path) -> None:
    target = tmp_path / "uc.csv"
    args = ["compare", "--deal", "diy", "--model", "user-centric", "--top", "4"]
    code, _, _ = run(*args, "--format", "csv", "--output", str(target))
    assert code == 0
    header = target.read_text("utf-8").splitlines()[0].split(",")
    assert header == [*COMPARE_COLUMNS, "pro_rata_payout", "user_centric_payout"]
    code, out, _ = run(*args, "--format", "markdown")
    assert code == 0 and out.startswith("### Streaming against CD income")
    assert "User-centric (USD)" in out and "artist level" in out


def test_side_both_names_both_kinds_of_money() -> None:
    code, out, _ = run("compare", "--deal", "indie", "--side", "both", "--top", "2")
    assert code == 0 and "recording and publishing money" in out
    assert "mechanical royalty per track" in out


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
        (["--deal", "major", "--model", "user-centric", "--vat", "15"], "did you mean 0.15?"),
        (["--dollars", "1800"], "--dollars"),
        (["--side", "publishing"], "rights-holder money"),
        (["--deal", "major", "--market", "nz"], "only apply with --model user-centric"),
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
