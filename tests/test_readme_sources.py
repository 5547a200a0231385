"""The README and docs/pricing-sources.md say what the code does, and cite only the repository.

docs/pricing-sources.md describes every pricing figure in our own words; the
figures themselves are package data (figures.toml, rates.toml) and code
(deals.py, the essay's two figures in book.py). These tests keep the page and
the tables from drifting apart, keep the README's Python example runnable, and
keep the notebooks and docs from pointing at files outside the repository.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from royalty.pricing.book import ESSAY_CD, ESSAY_RATE
from royalty.pricing.deals import DEALS
from royalty.pricing.defaults import SOURCES

ROOT = Path(__file__).resolve().parents[1]
PRICING = ROOT / "src" / "royalty" / "pricing"
DOC = ROOT / "docs" / "pricing-sources.md"


def doc() -> str:
    return DOC.read_text("utf-8")


def toml(name: str) -> dict[str, Any]:
    return tomllib.loads((PRICING / name).read_text("utf-8"))


def figure_sources() -> list[str]:
    """Every source text in figures.toml: CPI-U, each series row, each fee and its tax."""
    data = toml("figures.toml")
    found = [data["cpi"]["source"], data["cpi"]["name"]]
    for table in data["series"].values():
        found += [row["source"] for row in table["years"]]
    for market in data["fees"].values():
        found += [market["vat_source"], *(row["source"] for row in market["prices"])]
    return found


def rate_sources() -> list[str]:
    """Every source text in rates.toml."""
    return [row["source"] for table in toml("rates.toml").values() for row in table["years"]]


def test_the_tables_have_sources_to_check() -> None:
    # Guards the checks below against passing on an empty list.
    assert len(figure_sources()) > 30
    assert len(rate_sources()) > 15


@pytest.mark.parametrize("source", figure_sources() + rate_sources())
def test_every_source_in_the_tables_is_quoted_in_the_doc(source: str) -> None:
    assert source in doc(), f"docs/pricing-sources.md lacks the source {source!r}"


def test_every_deal_and_essay_figure_is_in_the_doc() -> None:
    text = doc()
    for deal in DEALS.values():
        assert deal.share_source in text, deal.name
        assert deal.cd_source in text, deal.name
        assert f"`{deal.cd_series}`" in text, deal.name
    for figure in (ESSAY_RATE, ESSAY_CD):
        assert figure.source in text
    assert SOURCES["min_seconds"] in text


def test_every_value_in_the_tables_is_in_the_doc() -> None:
    """Each cited row appears with its years and value, so a changed figure shows here."""
    text = doc()
    figures = toml("figures.toml")
    for key, table in figures["series"].items():
        for row in table["years"]:
            years = f"{row['year']}–{row['until']}" if "until" in row else str(row["year"])
            assert f"| {years} | {row['value']:g} |" in text, (key, years)
    for service, table in toml("rates.toml").items():
        for row in table["years"]:
            assert f"| {row['year']} | {row['rate']:g} |" in text, (service, row["year"])
    for year, value in figures["cpi"]["values"].items():
        assert f"| {year} | {value:g} |" in text, year


FILES_OUTSIDE = ("PRICING-FACTS", "../shared", "STYLE.md", "/work/")


def written_docs() -> list[Path]:
    return [ROOT / "README.md", DOC, *sorted((ROOT / "notebooks").glob("*.ipynb"))]


@pytest.mark.parametrize("path", written_docs(), ids=lambda p: p.name)
def test_docs_cite_only_files_in_the_repository(path: Path) -> None:
    text = path.read_text("utf-8")
    for name in FILES_OUTSIDE:
        assert name not in text, f"{path.name} points at {name}, which is not in the repository"
    # Paths written in backticks that name a folder of the repository must exist.
    for match in re.finditer(
        r"`((?:src|tests|docs|notebooks|data|scripts|benchmarks)/[^`\s]+)`", text
    ):
        assert (ROOT / match.group(1)).exists(), f"{path.name} names {match.group(1)}"


@pytest.mark.parametrize("path", [DOC, ROOT / "README.md"], ids=lambda p: p.name)
def test_links_to_files_in_the_repository_exist(path: Path) -> None:
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text("utf-8")):
        if "://" not in target:
            assert (path.parent / target).exists(), f"{path.name} links to {target}"


def readme_python(heading: str) -> str:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split(heading, 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block is not None, f"no Python example under {heading}"
    return block.group(1)


def test_the_readme_library_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    code = readme_python("## Library")
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md (Library)", "exec"), namespace)  # the README's own code
    out = capsys.readouterr().out
    # Radiohead's row at the essay's figures, then the verdict counts of a scenario.
    assert "9.33" in out, out
    assert "'no-cd'" in out, out
