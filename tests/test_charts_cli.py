"""`royalty chart KIND` end to end: files written, formats, sizes, mistakes."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from matplotlib.container import BarContainer

from cli_run import run
from royalty import cli_chart, schema, store


def bars(ax: Any) -> list[BarContainer]:
    """The bar containers of a chart (a bar with whiskers also adds an errorbar container)."""
    return [c for c in ax.containers if isinstance(c, BarContainer)]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The Axes each run saves, kept for inspection."""
    seen: list[Any] = []
    real = cli_chart.save

    def keep(ax: Any, target: Path) -> None:
        seen.append(ax)
        real(ax, target)

    monkeypatch.setattr(cli_chart, "save", keep)
    return seen


@pytest.mark.parametrize(
    "kind", ["compare", "cumulative", "timeline", "sensitivity", "user-centric"]
)
def test_default_output_is_a_big_png_in_the_current_folder(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("chart", kind)
    assert code == 0, err
    target = tmp_path / f"royalty-{kind}.png"
    assert out.strip() == str(target)
    assert "bundled sample" in err
    width, height = png_size(target)
    assert width >= 1200 and height >= 675
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary left


@pytest.mark.parametrize(
    ("suffix", "magic"), [(".svg", b"<?xml"), (".pdf", b"%PDF"), (".PNG", b"\x89PNG")]
)
def test_output_format_follows_the_extension(tmp_path: Path, suffix: str, magic: bytes) -> None:
    target = tmp_path / f"chart{suffix}"
    code, out, err = run("chart", "cumulative", "--output", str(target))
    assert code == 0, err
    assert target.read_bytes().startswith(magic)
    assert out.strip() == str(target)


def test_top_and_pricing_options_reach_the_chart(tmp_path: Path, captured: list[Any]) -> None:
    code, _, err = run(
        "chart", "compare", "--top", "4", "--rate", "0.01", "-o", str(tmp_path / "c.png")
    )
    assert code == 0, err
    (ax,) = captured
    streams = bars(ax)[0]
    assert len(streams) == 4
    # Radiohead, 2,800 plays in the sample, at 0.01 a stream (as given, in every year): 28.00.
    widths = sorted((p.get_width() for p in streams), reverse=True)
    assert widths[0] == pytest.approx(28.0)
    footer = next(t for t in ax.texts if t.get_gid() == "footer").get_text()
    assert "rate per stream to the artist, every year: the value you gave (0.01)" in footer


def test_chart_of_a_stored_user(tmp_path: Path, captured: list[Any]) -> None:
    times = ["2012-03-01 10:00", "2012-03-02 10:00", "2012-03-09 10:00", "2012-03-20 10:00"]
    plays = schema.normalize(
        pd.DataFrame(
            {
                "played_at": pd.to_datetime(times, utc=True),
                "artist": ["Solo"] * 4,
                "track": ["t"] * 4,
                "album": ["one"] * 4,
            }
        ),
        source="test",
    )
    store.merge("rj", plays)
    code, _, err = run(
        "chart", "cumulative", "--user", "rj", "--rate", "0.5", "--cd-margin", "1",
        "--min-album-plays", "2", "-o", str(tmp_path / "c.svg"),
    )  # fmt: skip
    assert code == 0, err
    assert "bundled sample" not in err
    (ax,) = captured
    assert "rj" in ax.get_title(loc="left")
    # One CD at 1.00; 0.50 a stream: streams reach it at the 2nd play, 2012-03-02 10:00.
    (mark,) = [line for line in ax.get_lines() if line.get_gid() == "crossover"]
    assert pd.Timestamp(mark.get_xdata()[0]) == pd.Timestamp("2012-03-02 10:00")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["chart", "compare", "-o", "chart.jpg"], "end the --output name in .png, .svg, .pdf"),
        (["chart", "compare", "-o", "no/such/folder/c.png"], "does not exist"),
        (["chart", "compare", "--top", "-1"], "--top must be 0 (every artist) or more"),
        (["chart", "compare", "--rate", "-1"], "rate must be a positive number"),
        (["chart", "timeline", "--user", "nobody"], "no plays are stored for 'nobody'"),
        (["chart", "compare", "--fee", "3"], "--fee only applies to the user-centric chart"),
        (["chart", "user-centric", "--rate", "0.01"], "start from rights-holder money"),
        (["chart", "user-centric", "--fx", "2"], "give --currency CODE"),
        (["chart", "user-centric", "--payout-ratio", "2"], "--payout-ratio must be above 0"),
    ],
)
def test_mistakes_are_one_line_errors(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(*args)
    assert code == 1
    assert err.startswith("Error: ") and len(err.splitlines()) == 1
    assert message in err
    assert out == ""
    assert not list(tmp_path.iterdir())


def test_help_names_the_kinds() -> None:
    code, out, _ = run("chart", "--help")
    assert code == 0
    for kind in ("compare", "cumulative", "timeline", "sensitivity", "user-centric"):
        assert kind in out


def test_sensitivity_chart_marks_every_service(tmp_path: Path, captured: list[Any]) -> None:
    from royalty.pricing import builtin_rates, figures

    code, _, err = run("chart", "sensitivity", "-o", str(tmp_path / "s.png"))
    assert code == 0, err
    (ax,) = captured
    lines = ax.get_lines()
    services = sorted(float(line.get_xdata()[0]) for line in lines if line.get_gid() == "service")
    # Each service's rights-holder rate of 2013 (the sample's last year), or its nearest year's.
    cpi = figures().cpi
    assert services == pytest.approx(
        sorted(r.series().at(2013, cpi).value for r in builtin_rates())
    )
    (essay,) = [line for line in lines if line.get_gid() == "essay"]
    assert float(essay.get_xdata()[0]) == pytest.approx(1 / 300)
    (artists,) = [line for line in lines if line.get_gid() == "artists"]
    assert min(artists.get_xdata()) == pytest.approx(0.0003)
    assert max(artists.get_xdata()) == pytest.approx(0.02)


def test_user_centric_chart_of_a_stored_user(tmp_path: Path, captured: list[Any]) -> None:
    from royalty.pricing import figures

    # Fee 11 with 10 % VAT, ratio 0.5, no deal: 5.00 a month. March: Solo 3 plays, Duo 1
    # (1.25 a play); April: Duo 1 play (5.00). Pro-rata at Spotify's 2013 rate, carried back
    # to dollars of 2012 by CPI-U: Solo 3 of them, Duo 2.
    times = ["2012-03-01", "2012-03-02", "2012-03-09", "2012-03-20", "2012-04-02"]
    plays = schema.normalize(
        pd.DataFrame(
            {
                "played_at": pd.to_datetime(times, utc=True),
                "artist": ["Solo", "Solo", "Solo", "Duo", "Duo"],
                "track": ["t"] * 5,
                "album": ["one"] * 5,
            }
        ),
        source="test",
    )
    store.merge("rj", plays)
    target = tmp_path / "uc.svg"
    code, out, err = run(
        "chart", "user-centric", "--user", "rj", "--service", "spotify", "--fee", "11",
        "--vat", "0.1", "--payout-ratio", "0.5", "-o", str(target),
    )  # fmt: skip
    assert code == 0, err
    assert out.strip() == str(target) and target.read_bytes().startswith(b"<?xml")
    (ax,) = captured
    assert "rj" in ax.get_title(loc="left")
    pro = sorted(((p.get_y(), p.get_width()) for p in ax.containers[0]), reverse=True)
    uc = sorted(((p.get_y(), p.get_width()) for p in ax.containers[1]), reverse=True)
    rate = 0.007 * figures().cpi.factor(2013, 2012)
    assert [w for _, w in pro] == pytest.approx([3 * rate, 2 * rate])
    assert [w for _, w in uc] == pytest.approx([3.75, 6.25])
    footer = next(t for t in ax.texts if t.get_gid() == "footer").get_text()
    assert "monthly fee: the value you gave (USD 11)" in footer
    assert "sales tax in the fee: the value you gave (0.1)" in footer
    assert "Borrowed: Spotify rate per stream (carried by CPI-U): no figure for 2012" in footer


def test_user_centric_chart_follows_the_pricing_frame(tmp_path: Path, captured: list[Any]) -> None:
    import royalty

    target = tmp_path / "uc.png"
    code, _, err = run(
        "chart", "user-centric", "--deal", "major", "--top", "5", "--currency", "NZD",
        "--fx", "1.6", "-o", str(target),
    )  # fmt: skip
    assert code == 0, err
    width, height = png_size(target)
    assert width >= 1200 and height >= 675
    (ax,) = captured
    scenario = royalty.make_scenario(deal="major", model="user-centric", currency="NZD", fx=1.6)
    frame = royalty.price(royalty.load_sample(), scenario).head(5)
    assert len(ax.containers[0]) == 5 and len(ax.containers[1]) == 5
    pro = sorted(((p.get_y(), p.get_width()) for p in ax.containers[0]), reverse=True)
    uc = sorted(((p.get_y(), p.get_width()) for p in ax.containers[1]), reverse=True)
    assert [w for _, w in pro] == pytest.approx(frame["pro_rata_payout"].tolist())
    assert [w for _, w in uc] == pytest.approx(frame["user_centric_payout"].tolist())
    assert ax.get_xlabel() == (
        "Payout (NZD at 1.6 per US dollar of 2013, artist level, recording side (master))"
    )


def test_user_centric_chart_defaults_to_spotify_at_the_rights_holder_level(
    tmp_path: Path, captured: list[Any]
) -> None:
    code, _, err = run("chart", "user-centric", "-o", str(tmp_path / "uc.png"))
    assert code == 0, err
    (ax,) = captured
    assert len(ax.containers[0]) == 15
    # Radiohead, 2,800 plays in the sample (2006-2013), at Spotify's 0.007 a stream of 2013
    # to rights holders: the years before 2013 borrow it, carried by CPI-U, so in dollars of
    # 2013 every stream is 0.007.
    widths = sorted((p.get_width() for p in ax.containers[0]), reverse=True)
    assert widths[0] == pytest.approx(2800 * 0.007)
    assert ax.get_xlabel() == (
        "Payout (US dollars of 2013, rights-holder level, recording side (master))"
    )
