"""Populations: many listeners' plays in one user-bucketed Parquet dataset.

``dataset`` defines the layout and reads it; ``importer`` and ``sources`` turn
population sources (ListenBrainz dumps, Last.fm-1K, LFM-1b, MLHD, royalty's
own store, export files) into it; ``generate`` makes a synthetic population.
Nothing here imports pandas, pyarrow or Dask until it is used.

Example:
    >>> from royalty.population.dataset import open_dataset, read_bucket
    >>> info = open_dataset("my-population")  # doctest: +SKIP
    >>> read_bucket(info.bucket_paths[0]).shape  # doctest: +SKIP
"""

from royalty.population.dataset import DatasetInfo, open_dataset, read_bucket, write_dataset

__all__ = ["DatasetInfo", "open_dataset", "read_bucket", "write_dataset"]
