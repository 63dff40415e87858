"""The shared contract of every separation estimator, and each baseline on pieces with known answers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from muspy_like.errors import SeparationError
from muspy_like.separation import (
    METHODS,
    ClosestPitchSeparator,
    MLPSeparator,
    ZoneSeparator,
    accuracy,
    make_estimator,
    notes_from_columns,
    sort_notes,
)
from muspy_like.separation.features import (
    HISTORY_FEATURE_NAMES,
    onset_hints,
    static_features,
    true_history_features,
)
from muspy_like.separation.zone import optimal_boundaries

SMALL_MLP = {"hidden_layer_sizes": (32, 32), "max_epochs": 30, "patience": 5, "batch_size": 32}


def piece(*rows, labels):
    """A sorted note array from (time, pitch, duration) rows, with its labels."""
    rows = np.array(rows)
    return sort_notes(notes_from_columns(rows[:, 0], rows[:, 1], rows[:, 2]), np.array(labels))


def fitted(method, X, y, params):
    return make_estimator(method, **params(method)).fit(X, y)


# -- the contract every estimator shares -------------------------------------------------------------
@pytest.mark.parametrize("method", list(METHODS))
def test_estimator_contract(method, two_voice_pieces, quick_params):
    X, y = two_voice_pieces(12, seed=1)
    estimator = make_estimator(method, **quick_params(method))
    # The constructor stores hyper-parameters only.
    assert not [name for name in vars(estimator) if name.endswith("_")]
    params = estimator.get_params()
    assert type(estimator)(**params).get_params() == params
    with pytest.raises(SeparationError, match="not fitted"):
        estimator.predict(X, y)
    assert estimator.fit(X, y) is estimator
    assert estimator.n_parts_ == 2
    predictions = estimator.predict(X, y)
    assert len(predictions) == len(X)
    for notes, predicted in zip(X, predictions):
        assert predicted.shape == (len(notes),) and predicted.dtype == np.int64
        assert predicted.min() >= 0 and predicted.max() < 2
    # The toy voices never overlap in pitch: every baseline separates them perfectly.
    assert accuracy(y, predictions) == 1.0


@pytest.mark.parametrize("method", list(METHODS))
def test_bad_input_is_a_clear_error(method, two_voice_pieces, quick_params):
    X, y = two_voice_pieces(6, seed=2)
    estimator = fitted(method, X, y, quick_params)
    with pytest.raises(SeparationError, match="knows only 2 parts"):
        estimator.predict(X[:1], [np.full(len(X[0]), 2)])
    with pytest.raises(SeparationError, match="piece 1 has no notes"):
        estimator.predict([X[0], np.zeros((0, 6), dtype=np.int64)], None if estimator.requires_labels is False
                          else [y[0], np.zeros(0, dtype=np.int64)])
    with pytest.raises(SeparationError, match="sorted"):
        estimator.predict([X[0][::-1]], [y[0][::-1]])
    with pytest.raises(SeparationError, match="shape"):
        estimator.predict([X[0][:, :2]], [y[0]])
    # Only (time, pitch, duration): positions default to 4/4 from tick 0, as the toy pieces already are.
    short = estimator.predict([X[0][:, :3]], [y[0]])[0]
    assert np.array_equal(short, estimator.predict([X[0]], [y[0]])[0])
    with pytest.raises(SeparationError, match="list of note arrays"):
        estimator.fit(X[0], y[0])


@pytest.mark.parametrize("method", ["zone-oracle", "mlp-oracle"])
def test_oracles_need_the_labels(method, two_voice_pieces, quick_params):
    X, y = two_voice_pieces(6, seed=3)
    with pytest.raises(SeparationError, match="oracle"):
        fitted(method, X, y, quick_params).predict(X)


# -- zone-based ---------------------------------------------------------------------------------------
def test_zone_boundaries_by_hand():
    # Part 0 sings 72-76, part 1 sings 60-64: every boundary in 65..72 is perfect; the lowest is kept.
    train = piece((0, 72, 24), (24, 74, 24), (48, 76, 24), (0, 60, 24), (24, 62, 24), (48, 64, 24),
                  labels=[0, 0, 0, 1, 1, 1])
    model = ZoneSeparator().fit([train[0]], [train[1]])
    assert model.order_.tolist() == [0, 1]
    assert model.boundaries_.tolist() == [128, 65, 0]
    assert model.training_accuracy_ == 1.0
    test = notes_from_columns(time=[0, 0, 0, 0], pitch=[50, 64, 65, 100], duration=[24] * 4)
    assert model.predict([test])[0].tolist() == [1, 1, 0, 0]


def test_zone_orders_parts_by_mean_pitch():
    # Part 0 is the low voice here: the highest zone goes to part 1.
    train = piece((0, 40, 24), (0, 80, 24), labels=[0, 1])
    model = ZoneSeparator().fit([train[0]], [train[1]])
    assert model.order_.tolist() == [1, 0]
    # Every boundary in 41..80 is perfect; the lowest (41) is kept, as the paper's search does.
    assert model.boundaries_.tolist() == [128, 41, 0]
    test = notes_from_columns(time=[0, 0, 0], pitch=[40, 41, 79], duration=[24, 24, 24])
    assert model.predict([test])[0].tolist() == [0, 1, 1]


def test_zone_oracle_uses_each_piece_own_zones():
    train = piece((0, 72, 24), (0, 60, 24), labels=[0, 1])
    test_notes, test_labels = piece((0, 62, 24), (24, 60, 24), (0, 52, 24), (24, 50, 24), labels=[0, 0, 1, 1])
    assert test_notes[:, 1].tolist() == [52, 62, 50, 60] and test_labels.tolist() == [1, 0, 1, 0]
    learned = ZoneSeparator().fit([train[0]], [train[1]])
    # Learned boundary is 61 (lowest of 61..72): 62 -> part 0, the rest -> part 1.
    assert learned.predict([test_notes])[0].tolist() == [1, 0, 1, 1]
    oracle = ZoneSeparator(oracle=True).fit([train[0]], [train[1]])
    assert oracle.predict([test_notes], [test_labels])[0].tolist() == test_labels.tolist()


def test_zone_optimum_matches_exhaustive_search():
    rng = np.random.default_rng(7)
    for _ in range(5):
        counts = np.zeros((3, 128), dtype=np.int64)
        counts[:, 30:50] = rng.integers(0, 6, size=(3, 20))
        best = 0
        for b1 in range(129):
            for b2 in range(b1 + 1):
                score = counts[0, b1:].sum() + counts[1, b2:b1].sum() + counts[2, :b2].sum()
                best = max(best, score)
        boundaries, score = optimal_boundaries(counts)
        assert score == best
        b = boundaries
        assert counts[0, b[1]:].sum() + counts[1, b[2]:b[1]].sum() + counts[2, :b[2]].sum() == best
        assert list(b) == sorted(b, reverse=True)


# -- closest-pitch ------------------------------------------------------------------------------------
def test_closest_pitch_follows_the_nearest_voice():
    notes, labels = piece(
        (0, 72, 24), (0, 60, 24),   # onsets of part 0 (72) and part 1 (60): hinted
        (24, 70, 24),               # 70: (70-72)^2 = 4 vs 100 -> part 0
        (48, 63, 24),               # 63: 49 vs 9 -> part 1
        (72, 67, 24),               # 67: last pitches 70 and 63 -> 9 vs 16 -> part 0
        labels=[0, 1, 0, 1, 0],
    )
    model = ClosestPitchSeparator().fit([notes], [labels])
    assert model.predict([notes], [labels])[0].tolist() == labels.tolist()


def test_closest_pitch_waits_for_a_part_to_enter():
    # Part 1 enters only at t=48; before that the low 50 must stay in part 0 although 50 is near 48.
    # Then 47 is nearer part 1's 48 (1) than part 0's 50 (9).
    notes, labels = piece((0, 72, 24), (24, 50, 24), (48, 48, 24), (72, 47, 24), labels=[0, 0, 1, 1])
    model = ClosestPitchSeparator().fit([notes], [labels])
    assert model.predict([notes], [labels])[0].tolist() == [0, 0, 1, 1]
    # Without hints, both parts start at their mean training pitch (0: 61, 1: 47.5 -> 48, half to even),
    # so 50 goes to part 1 (4 against 484).
    assert model.initial_pitches_.tolist() == [61, 48]
    assert model.predict([notes])[0].tolist() == [0, 1, 1, 1]


def test_mono_variant_avoids_sounding_parts_and_shares_chords():
    # The low part holds 60 for four beats; the high part leaps down to 62 while it still sounds.
    notes, labels = piece((0, 72, 24), (0, 60, 96), (24, 62, 24), (48, 64, 24), labels=[0, 1, 0, 0])
    plain = ClosestPitchSeparator().fit([notes], [labels])
    mono = ClosestPitchSeparator(mono=True).fit([notes], [labels])
    # Plain: 62 is nearer 60 (4) than 72 (100) -> part 1; then 64 is nearer 62 -> part 1 again.
    assert plain.predict([notes], [labels])[0].tolist() == [1, 0, 1, 1]
    # Mono: part 1 sounds until t=96, so it costs 4 + M: 62 and 64 go to part 0.
    assert mono.predict([notes], [labels])[0].tolist() == [1, 0, 0, 0]
    # A two-note chord near one voice: plain gives both notes to part 0, mono gives one to each part.
    chord, chord_labels = piece((0, 72, 24), (0, 48, 24), (24, 70, 24), (24, 71, 24), labels=[0, 1, 1, 0])
    model = ClosestPitchSeparator().fit([chord], [chord_labels])
    assert model.predict([chord], [chord_labels])[0].tolist() == [1, 0, 0, 0]
    mono = ClosestPitchSeparator(mono=True).fit([chord], [chord_labels])
    # 70 -> part 1 costs 484, 71 -> part 1 costs 529: the cheaper pairing keeps 71 in part 0.
    assert mono.predict([chord], [chord_labels])[0].tolist() == [1, 0, 1, 0]


def test_mono_ties_do_not_cross_voices():
    # Both parts last sang 53 and are silent: (48, 55) costs the same either way; the lower note goes to
    # the lower part (the one with the lower mean pitch, part 1).
    notes, labels = piece((0, 60, 12), (0, 40, 12), (24, 53, 12), (48, 53, 12), (72, 48, 12), (72, 55, 12),
                          labels=[0, 1, 0, 1, 1, 0])
    model = ClosestPitchSeparator(mono=True).fit([notes], [labels])
    assert model.predict([notes], [labels])[0][-2:].tolist() == [1, 0]


def test_mono_tie_break_rules_differ_only_on_ties():
    # Parts numbered low to high (0 low, 1 high). 53 at t=24 is nearer part 0 (4 against 16) and holds
    # until t=72, so the 53 at t=48 goes to part 1 (part 0 sounds). Both last sang 53 and are silent at
    # t=72: the chord (48, 55) ties. "uncross" gives 48 to the part of lower mean pitch (0: 50.7 against
    # 55); "index" (the paper's released loop, which keeps the lexicographically last best permutation)
    # gives the lowest note to the highest index.
    notes, labels = piece((0, 51, 12), (0, 57, 12), (24, 53, 48), (48, 53, 12), (72, 48, 12), (72, 55, 12),
                          labels=[0, 1, 0, 1, 0, 1])
    uncross = ClosestPitchSeparator(mono=True).fit([notes], [labels])
    index = ClosestPitchSeparator(mono=True, tie_break="index").fit([notes], [labels])
    assert uncross.predict([notes], [labels])[0].tolist() == [0, 1, 0, 1, 0, 1]
    assert index.predict([notes], [labels])[0].tolist() == [0, 1, 0, 1, 1, 0]
    # Without a tie (53 and 54 last: 25 + 1 against 36 + 4), both take the uncrossed assignment.
    notes[3, 1] = 54
    assert index.predict([notes], [labels])[0].tolist() == [0, 1, 0, 1, 0, 1]
    with pytest.raises(SeparationError, match="tie_break"):
        ClosestPitchSeparator(mono=True, tie_break="random").fit([notes], [labels]).predict([notes], [labels])


# -- features and the MLP -------------------------------------------------------------------------------
def test_onset_hints():
    assert onset_hints(np.array([2, 0, 2, 0]), 4).tolist() == [1, -1, 0, -1]


def test_static_features_of_a_chord():
    notes = notes_from_columns(time=[0, 0, 0, 24], pitch=[48, 55, 64, 60], duration=[24, 24, 6, 48],
                               beat_position=[0, 0, 0, 0], bar_position=[0, 0, 0, 24])
    features = static_features(notes)
    # pitch, duration (quarters), is_short, beat, bar, index, size, below, above, next size
    assert features[1].tolist() == [55, 1, 0, 0, 0, 1, 3, 7, 9, 1]
    assert features[2].tolist() == [64, 0.25, 1, 0, 0, 2, 3, 9, 0, 1]
    assert features[3].tolist() == [60, 2, 0, 0, 1, 0, 1, 0, 0, 0]


def test_true_history_matches_a_note_by_note_walk(two_voice_pieces):
    X, y = two_voice_pieces(3, seed=4)
    for notes, labels in zip(X, y):
        vectorized = true_history_features(notes, labels, 2)
        last = {}
        for i, (time, pitch, duration) in enumerate(notes[:, :3]):
            for part in range(2):
                block = vectorized[i, part * len(HISTORY_FEATURE_NAMES):(part + 1) * len(HISTORY_FEATURE_NAMES)]
                if part not in last:
                    assert block.tolist() == [0, 0, 0, 0, 0]
                    continue
                p_time, p_pitch, p_duration = last[part]
                expected = [1, pitch - p_pitch, (time - p_time) / 24, (time - p_time - p_duration) / 24,
                            float(time < p_time + p_duration)]
                assert block.tolist() == pytest.approx(expected)
            last[labels[i]] = (time, pitch, duration)


def test_mlp_online_equals_oracle_when_it_makes_no_mistake(two_voice_pieces):
    X, y = two_voice_pieces(16, seed=5)
    model = MLPSeparator(**SMALL_MLP).fit(X[:12], y[:12])
    assert 1 <= model.best_epoch_ <= model.n_epochs_ <= SMALL_MLP["max_epochs"]
    online = model.predict(X[12:])
    oracle = MLPSeparator(history="true", **SMALL_MLP)
    vars(oracle).update({k: v for k, v in vars(model).items() if k.endswith("_")})
    assert [p.tolist() for p in online] == [p.tolist() for p in oracle.predict(X[12:], y[12:])]
    assert [p.tolist() for p in online] == [labels.tolist() for labels in y[12:]]


def test_mlp_online_reads_nothing_from_the_labels(two_voice_pieces):
    # No leakage: the online MLP predicts the same with the true labels, wrong labels or none at all
    # (the evaluation always passes the labels, for the methods that take hints).
    X, y = two_voice_pieces(10, seed=7)
    model = MLPSeparator(**SMALL_MLP).fit(X[:8], y[:8])
    without = [p.tolist() for p in model.predict(X[8:])]
    assert [p.tolist() for p in model.predict(X[8:], y[8:])] == without
    assert [p.tolist() for p in model.predict(X[8:], [1 - labels for labels in y[8:]])] == without


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_mlp_forward_pass_matches_scikit_learn(two_voice_pieces):
    from sklearn.neural_network import MLPClassifier

    X, y = two_voice_pieces(4, seed=6)
    model = MLPSeparator(**SMALL_MLP).fit(X, y)
    features = model._standardize(np.concatenate([model._features(n, l) for n, l in zip(X, y)]))
    reference = MLPClassifier(hidden_layer_sizes=SMALL_MLP["hidden_layer_sizes"])
    reference.fit(features[:10], np.arange(10) % 2)  # only to set up the shapes; weights replaced below
    reference.coefs_, reference.intercepts_ = model.coefs_, model.intercepts_
    assert model._forward(features).tolist() == reference.predict(features).tolist()


def test_mlp_rejects_unknown_options(two_voice_pieces):
    X, y = two_voice_pieces(4, seed=6)
    with pytest.raises(SeparationError, match="history"):
        MLPSeparator(history="future").fit(X, y)
    with pytest.raises(SeparationError, match="at least 2 training pieces"):
        MLPSeparator().fit(X[:1], y[:1])


def test_get_params_and_set_params():
    model = ClosestPitchSeparator()
    assert model.set_params(mono=True) is model and model.mono is True
    with pytest.raises(ValueError, match="Invalid parameter 'speed'"):
        model.set_params(speed=3)
    assert model.get_params(deep=True) == {"mono": True, "penalty": 100000, "tie_break": "uncross"}
    assert repr(model) == "ClosestPitchSeparator(mono=True)"  # scikit-learn shows what differs from the defaults
    assert list(itertools.islice(METHODS, 2)) == ["zone", "zone-oracle"]


@pytest.mark.parametrize("method", list(METHODS))
def test_scikit_learn_clone_keeps_parameters_and_drops_learning(method, two_voice_pieces, quick_params):
    from sklearn.base import clone

    X, y = two_voice_pieces(6, seed=7)
    fitted_model = fitted(method, X, y, quick_params)
    copy = clone(fitted_model)
    assert type(copy) is type(fitted_model) and copy.get_params() == fitted_model.get_params()
    assert not copy.is_fitted()
    assert copy.fit(X, y).predict(X, y)[0].shape == fitted_model.predict(X, y)[0].shape


def test_grid_search_and_pipeline(two_voice_pieces):
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    X, y = two_voice_pieces(12, seed=8)
    # Move the low voice up into the high one's range, so that fixed zones make mistakes.
    shifted = [sort_notes(notes + np.where(labels[:, None] == 1, [0, 25, 0, 0, 0, 0], 0), labels)
               for notes, labels in zip(X, y)]
    X, y = [notes for notes, _ in shifted], [labels for _, labels in shifted]
    search = GridSearchCV(ZoneSeparator(), {"oracle": [False, True]}, cv=3).fit(X, y)
    learned, oracle = search.cv_results_["mean_test_score"]
    # Scored by the pooled note accuracy with the labels as hints: zones chosen on each test piece can
    # only do better than zones learned on the others.
    assert 0.5 < learned < oracle <= 1.0
    assert search.best_params_ == {"oracle": True} and search.best_score_ == oracle
    pipeline = Pipeline([("separate", ZoneSeparator())]).fit(X, y)
    assert [p.tolist() for p in pipeline.predict(X)] == [p.tolist() for p in ZoneSeparator().fit(X, y).predict(X)]
    assert pipeline.get_params(deep=True)["separate__oracle"] is False


def test_hints_keyword_and_its_deprecated_name(two_voice_pieces):
    X, y = two_voice_pieces(4, seed=9)
    model = ZoneSeparator(oracle=True).fit(X, y)
    with_hints = model.predict(X, hints=y)
    with pytest.warns(DeprecationWarning, match="hints"):
        with_labels = model.predict(X, labels=y)
    assert all(np.array_equal(a, b) for a, b in zip(with_hints, with_labels))
    assert model.requires_hints and model.requires_labels
    assert model.score(X, y) == accuracy(y, with_hints)


@pytest.mark.parametrize("method", list(METHODS))
def test_memory_mapped_pieces_give_the_same_predictions(method, two_voice_pieces, tmp_path, quick_params):
    # A memory-mapped dataset hands out read-only int32 notes and int8 labels: no copy, same answers.
    from muspy_like.separation import SeparationDataset

    X, y = two_voice_pieces(8, seed=21)
    SeparationDataset([f"p{i}" for i in range(8)], X, y, ("high", "low")).save(tmp_path / "set")
    mapped = SeparationDataset.load(tmp_path / "set", mmap=True)
    assert mapped.notes[0].dtype == np.int32 and mapped.labels[0].dtype == np.int8
    expected = fitted(method, X, y, quick_params).predict(X, y)
    got = fitted(method, mapped.notes, mapped.labels, quick_params).predict(mapped.notes, mapped.labels)
    assert all(np.array_equal(a, b) for a, b in zip(expected, got))


def test_mlp_trains_within_its_note_budget(two_voice_pieces):
    X, y = two_voice_pieces(10, seed=22)
    per_piece = len(X[0])
    model = MLPSeparator(max_training_notes=3 * per_piece, **SMALL_MLP).fit(X, y, validation=(X[:2], y[:2]))
    assert 2 * min(map(len, X)) <= model.n_training_notes_ <= 3 * per_piece  # whole pieces, within the budget
    assert MLPSeparator(**SMALL_MLP).fit(X, y, validation=(X[:2], y[:2])).n_training_notes_ == sum(map(len, X))
