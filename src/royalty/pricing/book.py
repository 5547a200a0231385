"""The figures a scenario uses, year by year, in one year's dollars.

A :class:`Book` looks up every figure a :class:`~royalty.pricing.Scenario`
needs for the years a history covers: the per-stream rate, the publishing
share, the subscription fee, the CD and download figures. It converts each
year's dollars into dollars of the book's year by CPI-U, keeps each figure's
low and high, and writes down what it used: the sources, and which years had
no figure of their own and borrowed the nearest cited year.

Values, lows and highs come as numpy arrays over the years asked for, so the
pricing is a few vectorised passes however long the history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt

from royalty.errors import UsageError
from royalty.pricing.deals import DEALS, MECHANICAL_TRACKS_PER_CD
from royalty.pricing.figures import Cited, Series, figures, market, year_span
from royalty.pricing.params import DEFAULT_MIN_SECONDS, MIN_SECONDS_SOURCE
from royalty.pricing.rates import EVERY_YEAR
from royalty.pricing.scenario import GIVEN, Scenario

Floats = npt.NDArray[np.float64]

ESSAY_RATE: Final = Cited(
    2013,
    2013,
    1 / 300,
    1 / 300,
    1 / 300,
    "the essay's 'a third of a cent per stream' to the artist (Nick O'Byrne, AIR, via ABC "
    "News 2013)",
)
"""The foundation's rate: USD per stream reaching the artist, 2013."""

ESSAY_CD: Final = Cited(
    2013,
    2013,
    1.50,
    1.00,
    2.00,
    "the essay's '$1 or $2' per CD album to the artist (2013), its middle",
)
"""The foundation's CD margin: USD per album to the artist, 2013, with the essay's range."""


@dataclass(frozen=True)
class Span:
    """A figure over years (or months): value, low and high, in the book's dollars."""

    value: Floats
    low: Floats
    high: Floats

    def __mul__(self, other: Span | Floats | float) -> Span:
        if isinstance(other, Span):
            return Span(self.value * other.value, self.low * other.low, self.high * other.high)
        return Span(self.value * other, self.low * other, self.high * other)

    def __add__(self, other: Span) -> Span:
        return Span(self.value + other.value, self.low + other.low, self.high + other.high)

    def map(self, each: Callable[[Floats], Floats]) -> Span:
        """``each`` applied to the value, the low and the high."""
        return Span(each(self.value), each(self.low), each(self.high))

    def take(self, index: npt.NDArray[np.integer]) -> Span:
        """The entries at ``index`` (per month from per year, or per item bought)."""
        return Span(self.value[index], self.low[index], self.high[index])

    @staticmethod
    def flat(value: float, n: int) -> Span:
        """One value, with no range, ``n`` times."""
        return Span(np.full(n, value), np.full(n, value), np.full(n, value))


@dataclass
class Book:
    """The figures of ``scenario`` for ``years``, in US dollars of ``dollars``.

    Attributes:
        scenario: what is priced.
        dollars: the year whose dollars every amount is stated in.
        sources: what each figure is and where it comes from, by key.
        borrowed: per figure name, the years that used another year's figure.
    """

    scenario: Scenario
    dollars: int
    sources: dict[str, str] = field(default_factory=dict)
    borrowed: dict[str, set[int]] = field(default_factory=dict)

    def deflator(self, years: npt.ArrayLike) -> Floats:
        """Per year, what one dollar of that year is in dollars of the book's year."""
        cpi = figures().cpi
        wanted = [int(y) for y in np.asarray(years)]
        missing = {y for y in wanted if y not in cpi.values}
        if missing:  # the nearest year's index stands in: say so
            self.borrowed.setdefault("CPI-U", set()).update(missing)
        return np.array([cpi.factor(y, self.dollars) for y in wanted], dtype=float)

    def _series(self, key: str, series: Series, years: Sequence[int], what: str) -> Span:
        """A cited series over ``years`` in the book's dollars, noting sources and borrowing."""
        cpi = figures().cpi
        priced = [series.at(int(y), cpi) for y in years]
        used = sorted({p.cited for p in priced}, key=lambda c: c.year)
        lent = {int(y) for y, p in zip(years, priced, strict=True) if p.borrowed}
        if lent:
            label = f"{series.name} (carried by CPI-U)" if series.money else series.name
            self.borrowed.setdefault(label, set()).update(lent)
        self.sources[key] = f"{what}, " + "; ".join(f"{_years(c)} {c.source}" for c in used)
        scale = self.deflator(years) if series.money else np.ones(len(years))
        return Span(
            np.array([p.value for p in priced]) * scale,
            np.array([p.low for p in priced]) * scale,
            np.array([p.high for p in priced]) * scale,
        )

    def _flat(self, key: str, value: float, n: int, what: str) -> Span:
        self.sources[key] = f"{what}, every year: {GIVEN} ({value:g})"
        return Span.flat(value, n)

    def _figure(self, key: str, years: Sequence[int], what: str) -> Span:
        return self._series(key, figures().series[key], years, what)

    # --- streams -----------------------------------------------------------------

    def share(self, n: int) -> Span:
        """The artist's share of master money (1 at the rights-holder level)."""
        s = self.scenario
        if s.artist_share is not None:
            self.sources["artist_share"] = f"artist's share of master money: {GIVEN}"
            return Span.flat(s.artist_share, n)
        deal = DEALS[s.deal or "none"]
        self.sources["artist_share"] = f"artist's share of master money: {deal.share_source}"
        return Span(np.full(n, deal.share), np.full(n, deal.low), np.full(n, deal.high))

    def master_rate(self, years: Sequence[int]) -> Span:
        """USD per stream of master money at the rights-holder level (the foundation: artist)."""
        s = self.scenario
        if s.foundation:
            if s.rate is not None:
                return self._flat("rate", s.rate, len(years), "rate per stream to the artist")
            series = Series("essay", "the essay's rate per stream", "USD", True, (ESSAY_RATE,))
            return self._series("rate", series, years, "rate per stream to the artist")
        row = s.service_row()
        what = f"{row.name} rate per stream to rights holders (recording)"
        if row.flat:
            return self._flat("rate", row.rate, len(years), what)
        return self._series("rate", row.series(), years, what)

    def _revenue_shares(self, years: Sequence[int]) -> tuple[Span, Span]:
        """The recording and the publishing shares of a service's revenue, per year."""
        rec = self._figure("recording_share", years, "recording share of service revenue")
        pub = self._figure(
            "stream_publishing_rate", years, "publishing share of service revenue (US)"
        )
        return rec, pub

    def publishing_ratio(self, years: Sequence[int]) -> Span:
        """Publishing money per dollar of master money: headline rate over recording share."""
        rec, pub = self._revenue_shares(years)
        # A smaller recording share means more revenue behind the same master rate.
        return Span(pub.value / rec.value, pub.low / rec.high, pub.high / rec.low)

    def stream_value(self, years: Sequence[int], *, holder: bool = False) -> Span:
        """What one paid stream earns in each year, at the scenario's level and side.

        ``holder`` leaves out the artist's share: the rights holders' money.
        """
        rate = self.master_rate(years)
        if self.scenario.foundation:
            return rate
        side = self.scenario.side
        master = rate if holder else rate * self.share(len(years))
        if side == "master":
            return master
        publishing = rate * self.publishing_ratio(years)
        return publishing if side == "publishing" else master + publishing

    # --- the user-centric pool ---------------------------------------------------

    def fee(self, months: npt.NDArray[np.datetime64]) -> Floats:
        """The monthly fee net of sales tax, in the book's dollars, per month.

        Raises:
            UsageError: the market's price is in a currency other than US
                dollars and the one shown (``fx`` cannot convert it).
        """
        s = self.scenario
        years = months.astype("datetime64[Y]").astype(int) + 1970
        if s.fee is not None:
            gross = np.full(len(months), s.fee)
            self.sources["fee"] = f"monthly fee: {GIVEN} (USD {s.fee:g}), used in every month"
        else:
            place = market(s.market)
            if place.currency not in ("USD", s.currency):
                # --fx converts USD into --currency: it says nothing of another currency.
                raise UsageError(
                    f"the {place.name} price is in {place.currency}: show amounts in it "
                    f"(--currency {place.currency} --fx, units of {place.currency} per US "
                    "dollar), or give --fee in US dollars"
                )
            prices, anchors, lent = [], [], set()
            used: dict[dt.date, str] = {}
            for month, year in zip(months.astype(dt.date), years, strict=True):
                price, borrowed = place.price_at(month)
                prices.append(price.price)
                # A price in force is in dollars of its month's year; a borrowed one
                # (before the first price) is in dollars of the year it was set.
                anchors.append(price.start.year if borrowed else int(year))
                used[price.start] = price.source
                if borrowed:
                    lent.add(int(year))
            rate = 1.0 if place.currency == "USD" else 1.0 / s.factor
            gross = np.array(prices) * rate * self.deflator(anchors)
            if lent:
                label = f"{place.name} fee (carried by CPI-U)"
                self.borrowed.setdefault(label, set()).update(lent)
            note = "" if place.currency == "USD" else f", at your {s.factor:g} per USD"
            self.sources["fee"] = f"monthly fee, {place.name}{note}: " + "; ".join(used.values())
        vat = self._vat()
        return gross / (1.0 + vat)

    def _vat(self) -> float:
        s = self.scenario
        if s.vat is not None:
            self.sources["vat"] = f"sales tax in the fee: {GIVEN} ({s.vat:g})"
            return s.vat
        place = market(s.market) if s.fee is None else market("us")
        self.sources["vat"] = f"sales tax in the fee: {place.vat_source}"
        return place.vat

    def pool_ratio(self, years: Sequence[int], *, share: bool = True) -> Span:
        """The share of the fee paid to the side priced (times the artist's share of master)."""
        s, n = self.scenario, len(years)
        rec, pub = self._revenue_shares(years)
        if s.payout_ratio is not None:
            self.sources["payout_ratio"] = f"share of the fee paid out: {GIVEN}"
            given = np.full(n, s.payout_ratio)
            whole = {"master": rec.value, "publishing": pub.value}.get(
                s.side, rec.value + pub.value
            )
            rec = rec * (given / whole)
            pub = pub * (given / whole)
        master = rec * self.share(n) if share else rec
        if s.side == "master":
            return master
        return pub if s.side == "publishing" else master + pub

    # --- CDs and downloads -------------------------------------------------------

    def mechanical(self, years: Sequence[int]) -> Span:
        """The statutory mechanical royalty per track, per year."""
        return self._figure("mechanical_per_track", years, "mechanical royalty per track (US)")

    def cd_master(self, years: Sequence[int]) -> Span:
        """What a CD album bought in each year pays on the master side, at the level."""
        s = self.scenario
        what = "CD album, master side"
        if s.cd_margin is not None:
            return self._flat("cd", s.cd_margin, len(years), f"{what}, to the {s.level}")
        if s.foundation:
            series = Series("essay_cd", "the essay's CD margin", "USD", True, (ESSAY_CD,))
            return self._series("cd", series, years, "CD album to the artist")
        deal = DEALS[s.deal or "none"]  # a bare --artist-share: a share of the label's receipts
        series = figures().series[deal.cd_series]
        figure = self._series("cd", series, years, f"{what}: {deal.cd_source}")
        if deal.cd_less_mechanicals:
            mech = self.mechanical(years) * float(MECHANICAL_TRACKS_PER_CD)
            figure = Span(
                np.maximum(figure.value - mech.value, 0.0),
                np.maximum(figure.low - mech.value, 0.0),
                np.maximum(figure.high - mech.value, 0.0),
            )
        figure = figure * deal.cd_share
        if s.artist_share is not None and s.deal is None:
            figure = figure * s.artist_share
        return figure

    def track_price(self, years: Sequence[int]) -> Floats:
        """USD per track download, per year."""
        s = self.scenario
        if s.track_price is not None:
            return self._flat("track_price", s.track_price, len(years), "download price").value
        return self._figure("track_price", years, "download price per track").value

    def store_cut(self, years: Sequence[int]) -> Floats:
        """The download store's share of the price, per year."""
        return self._figure("store_cut", years, "download store's cut").value

    def thresholds(self) -> None:
        """Name where the two thresholds come from: a rule, or the value the user gave."""
        s = self.scenario
        if s.min_seconds == DEFAULT_MIN_SECONDS:
            rule = MIN_SECONDS_SOURCE
        else:
            rule = f"{GIVEN} ({s.min_seconds:g} s)"
        self.sources["min_seconds"] = f"shortest paid stream: {rule}"
        self.sources["min_album_plays"] = (
            f"a CD counts as bought once its album has {s.min_album_plays} paid streams: an "
            "assumption of this comparison (--min-album-plays), not a published figure"
        )

    def dollars_note(self) -> str:
        """Which dollars the amounts are in, and whether CPI-U had that year."""
        cpi = figures().cpi
        near = cpi.nearest(self.dollars)
        self.sources["dollars"] = (
            f"amounts in US dollars of {self.dollars} by {cpi.name}: {cpi.source}"
        )
        if near != self.dollars:
            self.borrowed.setdefault("CPI-U", set()).add(self.dollars)
        return f"US dollars of {self.dollars}"

    def borrowed_lines(self) -> list[str]:
        """One line per figure that borrowed years, naming them."""
        return [
            f"{what}: no figure for {year_span(years)}, the nearest cited year's is used"
            for what, years in sorted(self.borrowed.items())
        ]


def _years(c: Cited) -> str:
    if c.year == c.until:
        return f"{c.year}:"
    if (c.year, c.until) == EVERY_YEAR:
        return "every year:"
    return f"{c.year}-{c.until}:"
