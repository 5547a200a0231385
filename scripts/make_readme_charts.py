"""Render the README's chart images from the bundled sample.

Run from the repository root: ``python scripts/make_readme_charts.py``. It
writes docs/images/chart-*.png (1200×675 px) with royalty's own chart
functions, so the pictures in the README are what the library draws.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

import royalty
from royalty.charts import sensitivity_rates

OUT = Path(__file__).resolve().parents[1] / "docs" / "images"
WHO = "the bundled sample"


def main() -> None:
    """Write the four README images."""
    OUT.mkdir(parents=True, exist_ok=True)
    plays = royalty.load_sample()
    essay = royalty.Scenario()  # the essay's figures, in dollars of the last play (2013)
    user_centric = royalty.make_scenario(service="spotify", model="user-centric")
    axes = {
        "compare": royalty.plot_compare(plays, essay, who=WHO, top=12),
        "cumulative": royalty.plot_cumulative(plays, essay, who=WHO),
        "sensitivity": royalty.plot_sensitivity(
            plays, essay, rates=sensitivity_rates(), services=royalty.rates_table(), who=WHO
        ),
        "user-centric": royalty.plot_user_centric(plays, user_centric, who=WHO, top=12),
    }
    for kind, ax in axes.items():
        path = OUT / f"chart-{kind}.png"
        ax.figure.savefig(path, dpi=100, metadata={"Software": "royalty"})
        print(path)
    plt.close("all")


if __name__ == "__main__":
    main()
