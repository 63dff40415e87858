"""Dataset API: lazy reading, indexing, slicing, seeded splits, folder and music21 datasets."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from muspy_like import Music
from muspy_like.datasets import FolderDataset, Music21Dataset, get_dataset, split_indices
from muspy_like.datasets.pieces import Piece, count_tunes
from muspy_like.errors import DatasetError, FormatError
from muspy_like.io import read


@pytest.fixture
def midi_folder(tmp_path, midi_files):
    for i, path in enumerate(midi_files):
        sub = tmp_path / ("a" if i % 2 else "b")
        sub.mkdir(exist_ok=True)
        (sub / path.name).write_bytes(path.read_bytes())
    (tmp_path / "notes.txt").write_text("not music")
    return tmp_path


def test_folder_dataset_lists_readable_files_sorted(midi_folder, midi_files):
    dataset = FolderDataset(midi_folder)
    labels = [dataset.label(i) for i in range(len(dataset))]
    assert labels == sorted(labels)
    assert sorted(Path(label).name for label in labels) == sorted(p.name for p in midi_files)
    assert all(not label.endswith(".txt") for label in labels)


def test_indexing_reads_lazily_and_matches_the_reader(midi_folder):
    dataset = FolderDataset(midi_folder)
    music = dataset[0]
    assert isinstance(music, Music)
    expected = read(dataset.pieces[0].path)
    assert [t.notes.pitch.tolist() for t in music.tracks] == [t.notes.pitch.tolist() for t in expected.tracks]
    assert dataset[-1].metadata.source_filename == Path(dataset.pieces[-1].path).name
    with pytest.raises(IndexError):
        dataset[len(dataset)]
    assert sum(1 for _ in dataset) == len(dataset)


def test_reading_nothing_until_asked(tmp_path, midi_files):
    (tmp_path / "good.mid").write_bytes(midi_files[0].read_bytes())
    (tmp_path / "broken.mid").write_bytes(b"MThd this is not a MIDI file")
    dataset = FolderDataset(tmp_path)  # listing does not parse: no error yet
    assert len(dataset) == 2
    broken = [i for i in range(2) if dataset.label(i) == "broken.mid"][0]
    with pytest.raises(FormatError, match="broken.mid"):
        dataset[broken]


def test_slices_and_subsets_keep_the_kind(midi_folder):
    dataset = FolderDataset(midi_folder)
    head = dataset[:3]
    assert isinstance(head, FolderDataset) and len(head) == 3
    assert head.pieces == dataset.pieces[:3]
    assert head[::-1].pieces == dataset.pieces[:3][::-1]


def test_split_is_seeded_disjoint_and_complete(midi_folder):
    dataset = FolderDataset(midi_folder)
    parts = dataset.split([0.5, 0.25, 0.25], seed=3)
    flat = [p for part in parts for p in part.pieces]
    assert sorted(flat) == sorted(dataset.pieces)
    assert [len(part) for part in parts] == [6, 3, 3]  # 12 files
    again = dataset.split([0.5, 0.25, 0.25], seed=3)
    assert [part.pieces for part in again] == [part.pieces for part in parts]
    other = dataset.split([0.5, 0.25, 0.25], seed=4)
    assert [part.pieces for part in other] != [part.pieces for part in parts]
    named = dataset.split({"train": 0.75, "test": 0.25}, seed=0)
    assert list(named) == ["train", "test"] and len(named["train"]) == 9


@pytest.mark.parametrize("ratios", [[0.5, 0.4], [0.7, 0.4], [1.2, -0.2], [float("nan"), 1.0], []])
def test_split_rejects_bad_ratios(ratios):
    with pytest.raises(ValueError):
        split_indices(10, ratios)


def test_split_tolerates_rounding():
    parts = split_indices(7, [1 / 3, 1 / 3, 1 / 3], seed=0)
    assert sorted(i for part in parts for i in part) == list(range(7))
    assert [len(part) for part in parts] == [2, 3, 2]  # rint(7/3)=2, rint(14/3)=5, 7


def test_dataset_pickles_with_its_pieces(midi_folder):
    dataset = FolderDataset(midi_folder, reader_options={"resolution": 96})
    clone = pickle.loads(pickle.dumps(dataset))
    assert clone.pieces == dataset.pieces
    assert clone[0].resolution == 96


def test_folder_errors(tmp_path):
    with pytest.raises(DatasetError, match="not a folder"):
        FolderDataset(tmp_path / "missing")
    with pytest.raises(DatasetError, match="no official split"):
        FolderDataset(tmp_path).official_splits()


def test_music21_dataset_by_composer():
    from music21 import corpus

    chorales = Music21Dataset("bach", extensions=[".mxl"])
    expected = sorted(str(p) for p in corpus.getComposer("bach") if p.suffix == ".mxl")
    assert [p.path for p in chorales.pieces] == expected
    music = chorales[0]
    assert len(music.tracks) >= 1 and music.n_notes > 0
    assert music.metadata.collection == "music21:bach"
    assert "cuthbert2010music21" in chorales.citation()


def test_music21_abc_files_expand_to_tunes():
    from music21 import corpus

    folk = Music21Dataset("essenFolksong", extensions=[".abc"])
    paths = [p for p in corpus.getComposer("essenFolksong") if p.suffix == ".abc"]
    assert len(folk) == sum(count_tunes(p) for p in paths)
    assert all(piece.tune is not None for piece in folk.pieces)
    # count_tunes agrees with an independent count: the X: field that opens every ABC tune
    first = paths[0]
    lines = first.read_text(errors="replace").splitlines()
    assert count_tunes(first) == sum(1 for line in lines if line.startswith("X:"))


def test_get_dataset_music21_needs_no_root():
    assert len(get_dataset("music21", composer="bach")) == len(Music21Dataset("bach"))


def test_piece_labels():
    assert Piece("/data/set/a.abc", 3).label("/data") == "set/a.abc#3"
    assert Piece("/data/set/a.mid").label("/elsewhere") == "/data/set/a.mid"


def test_abc_folder_one_piece_per_tune(testdata_dir):
    from muspy_like.io import native
    from muspy_like.io.abc import read_abc_tunes

    folder = testdata_dir / "abc"
    dataset = FolderDataset(folder)
    files = sorted(folder.glob("*.abc"))
    assert len(dataset) == sum(len(read_abc_tunes(path)) for path in files)  # the reader agrees with the X: count
    book = [i for i in range(len(dataset)) if dataset.label(i).startswith("tunebook.abc#")]
    assert [dataset.label(i) for i in book] == ["tunebook.abc#0", "tunebook.abc#1"]
    tunes = read_abc_tunes(folder / "tunebook.abc")
    for k, index in enumerate(book):
        assert native.to_dict(dataset[index]) == native.to_dict(tunes[k])


def test_music21_humdrum_goes_through_music21():
    import music21

    kern = Music21Dataset("bach", extensions=[".krn"])
    assert len(kern) == 3
    music = kern[0]
    score = music21.converter.parse(kern.pieces[0].path)
    # Independent count: every sounding pitch, a tied continuation counting once with its start.
    heads = [n for n in score.recurse().notes if n.tie is None or n.tie.type == "start"]
    assert music.n_notes == sum(len(n.pitches) for n in heads)
    assert len(music.tracks) == len(score.parts)


def test_abc_file_without_reference_number_is_one_tune(tmp_path, testdata_dir):
    text = (testdata_dir / "abc" / "notes.abc").read_text()
    (tmp_path / "bare.abc").write_text("\n".join(line for line in text.splitlines() if not line.startswith("X:")))
    dataset = FolderDataset(tmp_path)
    assert [dataset.label(i) for i in range(len(dataset))] == ["bare.abc#0"]
    assert dataset[0].n_notes > 0


def test_bach_is_the_same_files_in_every_command():
    """Issue 11: the dataset, `stats music21:bach`, the quickstart and the separation recipe read one set."""
    from music21 import corpus

    from muspy_like.separation.recipes.bach import bach_files
    from muspy_like.statistics.sources import resolve_sources

    folder = sorted(Path(p) for p in corpus.getComposer("bach"))
    musicxml = {p for p in folder if p.suffix in (".mxl", ".xml")}
    kern = {p for p in folder if p.suffix == ".krn"}
    assert kern and all(p.with_suffix(".mxl") in musicxml for p in kern)  # second copies of MusicXML works

    dataset = {Path(p.path) for p in Music21Dataset("bach").pieces}
    assert dataset == musicxml  # every work once, each as its MusicXML file
    assert {Path(s.location) for s in resolve_sources(["music21:bach"])} == dataset
    assert set(bach_files()) == dataset  # the separation recipe then keeps the pieces with sung parts
    assert any(p.stem == "bwv846" for p in dataset)
