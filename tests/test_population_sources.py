"""Each population source layout, recognised from its content and read into a dataset."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from population_files import (
    A1,
    A2,
    R1,
    T1,
    write_lastfm_1k,
    write_lfm1b,
    write_mlhd,
    write_spark_folder,
    write_spark_tar,
)
from royalty import store
from royalty.config import royalty_home
from royalty.errors import DataFormatError, UsageError
from royalty.population.dataset import read_bucket
from royalty.population.importer import import_population
from royalty.population.sources import open_source, sniff_text

COLUMNS = ["user", "played_at", "artist", "track", "album", "artist_mbid", "album_mbid",
           "track_mbid", "source"]  # fmt: skip


def plays_of(result: object) -> pd.DataFrame:
    info = result.dataset  # type: ignore[attr-defined]
    frame = pd.concat([read_bucket(p) for p in info.bucket_paths], ignore_index=True)
    out = frame[COLUMNS].astype({c: "object" for c in COLUMNS if c != "played_at"})
    out = out.sort_values(["user", "played_at", "track"], ignore_index=True)
    return out.where(out.notna(), None)


def utc(seconds: int) -> pd.Timestamp:
    return pd.Timestamp(seconds, unit="s", tz="UTC")


def rows(frame: pd.DataFrame, *cols: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in frame[list(cols)].itertuples(index=False)]


@pytest.mark.parametrize("layout", ["folder", "tar"])
def test_listenbrainz_spark_dump(tmp_path: Path, layout: str) -> None:
    src = (
        write_spark_folder(tmp_path / "dump")
        if layout == "folder"
        else write_spark_tar(tmp_path / "dump.tar")
    )
    assert open_source(src).kind == "listenbrainz-spark"
    result = import_population([src], tmp_path / "pop", buckets=2)
    plays = plays_of(result)
    assert result.skipped == {"no artist": 1}
    # The user name is ListenBrainz's integer id as text.
    assert rows(plays, "user", "played_at", "artist", "track") == [
        ("3", utc(1_600_000_100), "Radiohead", "Airbag"),
        ("7", utc(1_600_000_000), "Radiohead", "Airbag"),
        ("7", utc(1_600_000_200), "Björk", "Jóga"),
        ("7", utc(1_600_000_400), "Radiohead", "Lucky"),
        ("9", utc(1_600_000_300), "Björk", "Jóga"),
    ]
    first = plays.iloc[0]
    # A joint credit's first artist MBID; release and recording as album and track.
    assert (first["artist_mbid"], first["album"], first["album_mbid"], first["track_mbid"]) == (
        A1, "OK Computer", R1, T1
    )  # fmt: skip
    assert set(plays["source"]) == {"listenbrainz-spark"}
    assert plays.loc[plays["user"] == "9", "artist_mbid"].tolist() == [None]  # empty credit


def test_lastfm_1k_tsv_skips_and_counts_malformed_lines(tmp_path: Path) -> None:
    src = write_lastfm_1k(tmp_path / "userid-timestamp-artid-artname-traid-traname.tsv")
    renamed = src.rename(tmp_path / "plays.data")  # recognised by content, not name
    assert open_source(renamed).kind == "lastfm-1k"
    result = import_population([renamed], tmp_path / "pop")
    assert result.skipped == {
        "malformed line": 1, "no or unreadable time": 1, "before 2002": 1, "no artist": 1
    }  # fmt: skip
    plays = plays_of(result)
    assert rows(plays, "user", "played_at", "artist", "track", "artist_mbid", "track_mbid") == [
        ("user_000001", pd.Timestamp("2009-05-04T13:54:10Z"), "Portishead", "Roads", None, None),
        ("user_000001", pd.Timestamp("2009-05-04T23:08:57Z"), "Radiohead", "Airbag", A1, T1),
        ("user_000002", pd.Timestamp("2008-01-27T22:02:37Z"), "Björk", 'Jóga "live"', A2, None),
    ]


def test_lfm1b_with_names_files(tmp_path: Path) -> None:
    folder = write_lfm1b(tmp_path / "LFM-1b")
    assert open_source(folder).kind == "lfm-1b"
    assert open_source(folder / "LFM-1b_LEs.txt").kind == "lfm-1b"
    result = import_population([folder], tmp_path / "pop")
    assert result.skipped == {"before 2002": 1}
    plays = plays_of(result)
    assert rows(plays, "user", "played_at", "artist", "track", "album") == [
        ("31435741", utc(1385212958), "Sigur Rós", "Svefn-g-englar", "Ágætis byrjun"),
        ("31435741", utc(1385213190), "Sigur Rós", "Svefn-g-englar", "Ágætis byrjun"),
        ("31435741", utc(1385213400), "Mogwai", "Like Herod", "Young Team"),
        ("41435741", utc(1385213500), "Mogwai", "Mogwai Fear Satan", "Young Team"),
    ]


def test_lfm1b_without_track_names_names_tracks_by_id(tmp_path: Path) -> None:
    folder = write_lfm1b(tmp_path / "LFM-1b", names=False)
    plays = plays_of(import_population([folder], tmp_path / "pop"))
    assert sorted(set(plays["track"])) == ["12", "13", "4"]
    assert set(plays["album"]) == {None}


def test_lfm1b_without_artists_file_is_an_error(tmp_path: Path) -> None:
    folder = write_lfm1b(tmp_path / "LFM-1b")
    (folder / "LFM-1b_artists.txt").unlink()
    with pytest.raises(DataFormatError, match=r"LFM-1b_artists\.txt"):
        import_population([folder], tmp_path / "pop")
    assert not (tmp_path / "pop" / "population.json").exists()


def test_mlhd_files_of_every_compression(tmp_path: Path) -> None:
    folder = write_mlhd(tmp_path / "mlhd")
    assert open_source(folder).kind == "mlhd"
    result = import_population([folder], tmp_path / "pop")
    assert result.dataset.artist_names == "mbid"
    assert result.skipped == {"no track": 1}
    plays = plays_of(result)
    b = "0a1b2c3d-0000-4000-8000-00000000000b"
    # The listener is the file name; artist and track are MBIDs (the first of a credit).
    assert rows(plays[plays["user"] == b], "played_at", "artist", "track", "album_mbid") == [
        (utc(1_300_000_000), A2, "1c5bc2cc-d493-45af-b029-603f813d7dd7", None),
        (utc(1_300_000_100), A2, T1, None),
    ]
    assert len(plays) == 5 and plays["user"].nunique() == 3
    assert (plays["artist"] == plays["artist_mbid"]).all()


def test_mlhd_folder_with_a_readme_first(tmp_path: Path) -> None:
    folder = write_mlhd(tmp_path / "mlhd")
    (folder / "00-README.txt").write_text("The Music Listening Histories Dataset\n")
    assert open_source(folder).kind == "mlhd"
    result = import_population([folder], tmp_path / "pop")
    assert result.dataset.plays == 5 and result.skipped == {"no track": 1, "malformed line": 1}


def test_mlhd_tar_of_listener_files(tmp_path: Path) -> None:
    import tarfile

    folder = write_mlhd(tmp_path / "mlhd")
    with tarfile.open(tmp_path / "MLHD_000.tar", "w") as archive:
        for file in sorted(folder.iterdir()):
            archive.add(file, arcname=f"MLHD_000/{file.name}")
    assert open_source(tmp_path / "MLHD_000.tar").kind == "mlhd"
    assert len(plays_of(import_population([tmp_path / "MLHD_000.tar"], tmp_path / "pop"))) == 5


def test_mlhd_and_named_sources_do_not_mix(tmp_path: Path) -> None:
    import_population([write_mlhd(tmp_path / "mlhd")], tmp_path / "pop")
    with pytest.raises(UsageError, match="MusicBrainz"):
        import_population([write_lastfm_1k(tmp_path / "1k.tsv")], tmp_path / "pop")


def store_plays(artist: str, start: str, n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "played_at": pd.date_range(start, periods=n, freq="h", tz="UTC"),
            "artist": artist,
            "track": [f"Song {i}" for i in range(n)],
            "source": "lastfm-api",
        }
    )


def test_royalty_store_every_user_is_a_listener(tmp_path: Path) -> None:
    store.merge("ann", store_plays("Low", "2020-01-01", 3))
    store.merge("bob", store_plays("Yes", "2021-01-01", 2))
    home = royalty_home()
    assert open_source(home).kind == "royalty-store"
    plays = plays_of(import_population([home], tmp_path / "pop"))
    assert rows(plays, "user", "artist")[:1] == [("ann", "Low")]
    assert plays.groupby("user").size().to_dict() == {"ann": 3, "bob": 2}
    assert set(plays["source"]) == {"lastfm-api"}


def write_csv(path: Path, plays: list[tuple[int, str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid"]
    for uts, artist, track in plays:
        stamp = pd.Timestamp(uts, unit="s").strftime("%d %b %Y, %H:%M")
        lines.append(f'"{uts}","{stamp}","{artist}","","","","{track}",""')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_export_files_need_to_say_whose_they_are(tmp_path: Path) -> None:
    src = write_csv(tmp_path / "ann.csv", [(1_700_000_000, "Low", "Words")])
    with pytest.raises(UsageError, match="--user"):
        open_source(src)
    assert plays_of(import_population([src], tmp_path / "p1", user="zed"))["user"].tolist() == [
        "zed"
    ]
    assert plays_of(import_population([src], tmp_path / "p2", user_from="name"))[
        "user"
    ].tolist() == ["ann"]


def test_export_files_user_from_folder_and_name(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    write_csv(exports / "ann" / "scrobbles.csv", [(1_700_000_000, "Low", "Words")])
    write_csv(exports / "ann" / "more.csv", [(1_700_000_600, "Low", "Sunflower")])
    write_csv(exports / "bob" / "scrobbles.csv", [(1_700_000_000, "Yes", "Yours")])
    (exports / "bob" / "notes.txt").write_text("not a history")
    plays = plays_of(import_population([exports], tmp_path / "pop", user_from="folder"))
    assert plays.groupby("user").size().to_dict() == {"ann": 2, "bob": 1}
    flat = tmp_path / "flat"
    flat.mkdir()
    for who in ("ann", "bob"):
        shutil.copy(exports / who / "scrobbles.csv", flat / f"{who}.csv")
    result = import_population([flat], tmp_path / "pop2", user_from="name")
    assert plays_of(result).groupby("user").size().to_dict() == {"ann": 1, "bob": 1}


def test_sniff_text_tells_the_dumps_apart() -> None:
    assert sniff_text(b"user_000001\t2009-05-04T23:08:57Z\t\tA\t\tT\n") == "lastfm-1k"
    assert sniff_text(b"1\t2\t3\t4\t1385212958\n") == "lfm-1b"
    assert sniff_text(f"1200000000\t{A1}\t\t{T1}\n".encode()) == "mlhd"
    assert sniff_text(b"uts,utc_time,artist\n") is None
    assert sniff_text(b"1\t2\t3\n") is None


def test_forced_format_that_does_not_fit_is_one_error(tmp_path: Path) -> None:
    src = write_lastfm_1k(tmp_path / "1k.tsv")
    with pytest.raises(DataFormatError):
        import_population([src], tmp_path / "pop", input_format="listenbrainz-spark")
    with pytest.raises(UsageError, match="unknown input format"):
        open_source(src, input_format="nope")


def test_mlhd_tar_whose_first_file_is_bigger_than_the_sniffed_head(tmp_path: Path) -> None:
    import gzip
    import io
    import tarfile

    lines = "".join(f"{1_200_000_000 + i}\t{A1}\t\t{T1}\n" for i in range(40_000)).encode()
    data = gzip.compress(lines)
    assert len(data) > 65536  # only a cut-off gzip stream is there to recognise
    with tarfile.open(tmp_path / "MLHD_001.tar", "w") as archive:
        entry = tarfile.TarInfo("MLHD_001/0a1b2c3d-0000-4000-8000-00000000000d.txt.gz")
        entry.size = len(data)
        archive.addfile(entry, io.BytesIO(data))
    assert open_source(tmp_path / "MLHD_001.tar").kind == "mlhd"
    result = import_population([tmp_path / "MLHD_001.tar"], tmp_path / "pop")
    assert result.dataset.plays == 40_000 and result.dataset.listeners == 1


def test_spark_dump_with_unix_seconds_and_joined_credits(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "old-dump"
    folder.mkdir()
    table = pa.table(
        {
            "listened_at": pa.array([1_600_000_000, 1_600_000_060], type=pa.int64()),
            "user_id": pa.array([5, 5], type=pa.int64()),
            "artist_name": ["Air", "Air"],
            "artist_credit_mbids": [f"{A1},{A2}", None],
            "recording_name": ["La femme d'argent", "Sexy Boy"],
        }
    )
    pq.write_table(table, folder / "0.parquet")
    plays = plays_of(import_population([folder], tmp_path / "pop"))
    assert rows(plays, "user", "played_at", "artist_mbid") == [
        ("5", utc(1_600_000_000), A1),
        ("5", utc(1_600_000_060), None),
    ]


def test_lfm1b_files_with_header_lines(tmp_path: Path) -> None:
    folder = write_lfm1b(tmp_path / "LFM-1b")
    for name in ("LFM-1b_LEs.txt", "LFM-1b_artists.txt", "LFM-1b_tracks.txt"):
        path = folder / name
        path.write_text("id\tname\tmore\n" + path.read_text())
    plays = plays_of(import_population([folder], tmp_path / "pop"))
    assert len(plays) == 4 and set(plays["artist"]) == {"Sigur Rós", "Mogwai"}


def test_forced_export_format_needs_and_takes_a_user(tmp_path: Path) -> None:
    src = write_csv(tmp_path / "x.data", [(1_700_000_000, "Low", "Words")])
    with pytest.raises(UsageError, match="--user"):
        open_source(src, input_format="lastfm-csv")
    plays = plays_of(import_population([src], tmp_path / "pop", input_format="lastfm-csv",
                                       user="ann"))  # fmt: skip
    assert rows(plays, "user", "artist", "track") == [("ann", "Low", "Words")]


def test_lfm1b_names_file_with_ids_that_are_not_lfm1b(tmp_path: Path) -> None:
    folder = write_lfm1b(tmp_path / "LFM-1b")
    (folder / "LFM-1b_artists.txt").write_text("2\tSigur Rós\n999999999999\tHuge\n")
    with pytest.raises(DataFormatError, match="not LFM-1b's"):
        import_population([folder], tmp_path / "pop")


def test_an_export_with_a_bare_carriage_return_is_one_error(tmp_path: Path) -> None:
    src = tmp_path / "ann.csv"
    src.write_bytes(b"uts,artist,track\r1700000000,A\rB,T\n")
    with pytest.raises(DataFormatError, match=r"ann\.csv: "):
        import_population([src], tmp_path / "pop", user="ann")
