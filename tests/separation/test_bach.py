"""The Bach chorale dataset built from music21's corpus, and the paper's Table 2 on its fixed split."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from muspy_like.separation import (
    BACH_PART_NAMES,
    PAPER_BACH_ACCURACY,
    evaluate,
    fixed_split,
    make_estimator,
)
from muspy_like.separation.recipes.bach import bach_files
from muspy_like.separation import seeded_split as split_indices


def test_counts_of_the_paper_recipe(bach):
    # The issue's own rebuild of the paper's recipe: 409 pieces, 96,605 notes.
    assert len(bach) == 409
    assert bach.n_notes == 96605
    assert bach.part_names == BACH_PART_NAMES
    assert len(bach_files()) == 410  # one file has fewer than 2 parts with more than 10 notes
    for notes, labels in zip(bach.notes, bach.labels):
        order = np.lexsort((notes[:, 2], notes[:, 1], notes[:, 0]))
        assert np.array_equal(order, np.arange(len(notes)))
        assert np.count_nonzero(np.bincount(labels, minlength=4) > 10) >= 2


def test_one_chorale_matches_music21_directly(bach):
    # BWV 1.6, soprano, read with music21's own tie merging (stripTies), as an independent reference.
    from music21 import corpus

    score = corpus.parse("bach/bwv1.6.mxl")
    soprano = next(part for part in score.parts if part.partName == "Soprano").stripTies()
    expected = sorted(
        (round(float(n.offset) * 24), n.pitch.midi, round(float(n.quarterLength) * 24))
        for n in soprano.flatten().notes
        if not n.duration.isGrace
    )
    index = bach.names.index("bwv1.6")
    notes = bach.notes[index][bach.labels[index] == 0]
    assert [tuple(row) for row in notes[:, :3].tolist()] == expected


def test_fixed_split_is_documented_and_disjoint(bach):
    split = fixed_split(bach.names)
    assert (len(split.train), len(split.valid), len(split.test)) == (327, 41, 41)
    together = np.concatenate([split.train, split.valid, split.test])
    assert sorted(together.tolist()) == list(range(409))


# Tolerances: 2 to 3 standard deviations of our accuracy over random 8:1:1 splits (sd over 200 splits:
# 1.1, 0.8, 1.5 and 2.3 points for the four methods, see benchmarks/results/separation.md): a single test
# set of 41 chorales differs from the paper's (which cannot be repeated) by that much by chance alone.
TOLERANCE = {"zone": 3.5, "zone-oracle": 2.0, "closest-pitch": 4.5, "closest-pitch-mono": 4.5}


@pytest.fixture(scope="module")
def fixed(bach):
    split = fixed_split(bach.names)
    return bach.subset(split.train), bach.subset(split.valid), bach.subset(split.test)


@pytest.mark.parametrize("method", list(TOLERANCE))
def test_heuristics_reproduce_table_2(method, fixed):
    train, _, test = fixed
    model = make_estimator(method).fit(train.notes, train.labels)
    ours = 100 * evaluate(model, test.notes, test.labels)["accuracy"]
    assert abs(ours - PAPER_BACH_ACCURACY[method]) <= TOLERANCE[method]


def released_mono_rule(notes, labels, n_parts=4, penalty=99999):
    """The closest-pitch "mono" rule as the paper's released code runs it, written out plainly.

    Onset by onset: a part's first note is given to it; any other note costs the squared distance to the
    part's last pitch, plus ``penalty`` if the part still sounds, and is barred from parts not entered
    yet; the notes of an onset (at most ``n_parts``) take the best permutation of distinct parts, the
    lexicographically last one among equals (its loop keeps a permutation whose score is ``>=`` the best).
    """
    first = {part: int(np.flatnonzero(labels == part)[0]) for part in np.unique(labels)}
    first_of = {index: part for part, index in first.items()}
    last = np.array([notes[first[p], 1] if p in first else 0 for p in range(n_parts)])
    until = np.zeros(n_parts, dtype=np.int64)
    predictions = np.empty(len(notes), dtype=np.int64)
    onsets = np.unique(notes[:, 0])
    for onset in onsets:
        chord = np.flatnonzero(notes[:, 0] == onset)
        assert len(chord) <= n_parts  # true of the chorales checked here
        scores = np.zeros((len(chord), n_parts), dtype=np.int64)
        for row, index in enumerate(chord):
            if index in first_of:
                scores[row, first_of[index]] = 99999
                continue
            scores[row] = -np.square(last - notes[index, 1]) - penalty * (until > onset)
            for part in range(n_parts):
                if part not in first or index < first[part]:
                    scores[row, part] = -9999999
        best, choice = None, None
        for permutation in itertools.permutations(range(n_parts), len(chord)):
            total = scores[np.arange(len(chord)), list(permutation)].sum()
            if best is None or total >= best:
                best, choice = total, permutation
        for index, part in zip(chord, choice):
            predictions[index] = part
            last[part] = notes[index, 1]
            until[part] = notes[index, 0] + notes[index, 2]
    return predictions


def test_mono_index_tie_break_is_the_papers_released_rule(bach, fixed):
    # On every test chorale of the fixed split, the assignment solver with tie_break="index" makes the
    # same choice, note for note, as the released code's loop over permutations.
    train, _, test = fixed
    model = make_estimator("closest-pitch-mono", tie_break="index").fit(train.notes, train.labels)
    predicted = model.predict(test.notes, test.labels)
    for notes, labels, ours in zip(test.notes, test.labels, predicted):
        assert ours.tolist() == released_mono_rule(notes, labels).tolist()


@pytest.mark.parametrize("tie_break", ["uncross", "index"])
def test_mono_paper_figure_lies_within_the_split_spread(bach, tie_break):
    # The paper reports one random split; over 100 of ours, its 89.76 lies within 2 sd of our mean
    # (the mean is about 86, the sd about 2.4: one difficult chorale in the 41 test pieces costs points).
    scores = []
    for seed in range(1, 101):
        split = split_indices(bach.names, seed)
        train, test = bach.subset(split.train), bach.subset(split.test)
        model = make_estimator("closest-pitch-mono", tie_break=tie_break).fit(train.notes, train.labels)
        scores.append(100 * evaluate(model, test.notes, test.labels)["accuracy"])
    mean, sd = np.mean(scores), np.std(scores, ddof=1)
    assert sd < 3.5  # a plausibility bound on the spread, so that "within 2 sd" means something
    assert abs(PAPER_BACH_ACCURACY["closest-pitch-mono"] - mean) <= 2 * sd
    assert max(scores) > PAPER_BACH_ACCURACY["closest-pitch-mono"]


def test_mlp_on_the_fixed_split(fixed):
    train, valid, test = fixed
    model = make_estimator("mlp", max_epochs=8).fit(train.notes, train.labels, validation=(valid.notes, valid.labels))
    online = 100 * evaluate(model, test.notes, test.labels)["accuracy"]
    oracle = 100 * evaluate(model.set_params(history="true"), test.notes, test.labels)["accuracy"]
    # The oracle reproduces the paper's figure; the online MLP does much better than the paper's 81.63
    # (see docs/separation.md for why), and never better than its own oracle by more than noise.
    assert abs(oracle - PAPER_BACH_ACCURACY["mlp-oracle"]) <= 2.5
    assert online >= PAPER_BACH_ACCURACY["mlp"]
    assert online <= oracle + 0.5


def test_repeats_can_be_written_out():
    # BWV 103.6 repeats its first phrase: music21 writes the soprano's 52 notes out to 69.
    from music21 import corpus

    from muspy_like.separation.recipes.bach import read_bach_file

    path = next(p for p in bach_files() if p.stem == "bwv103.6")
    soprano = next(part for part in corpus.parse(str(path)).parts if part.partName == "Soprano")
    written = len(soprano.stripTies().flatten().notes)
    expanded = len(soprano.expandRepeats().stripTies().flatten().notes)
    assert expanded > written
    as_written = read_bach_file(path)
    with_repeats = read_bach_file(path, expand_repeats=True)
    assert len(next(t for t in as_written.tracks if t.name == "Soprano").notes) == written
    assert len(next(t for t in with_repeats.tracks if t.name == "Soprano").notes) == expanded
