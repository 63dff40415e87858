"""The sequence models (LSTM, BiLSTM, Transformer decoder and encoder): inputs, determinism, saving,
causality, hints and devices, with tiny networks on a few real chorales."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from muspy_like.errors import SeparationError
from muspy_like.separation import load_model, save_model, sort_notes
from muspy_like.separation.sequence import LSTMSeparator, TransformerSeparator
from muspy_like.separation.sequence.inputs import (
    entry_hint_matrix,
    piece_inputs,
    pitch_hint_tokens,
    training_batches,
    transpose,
    window_plan,
)

torch = pytest.importorskip("torch")

TINY = {"n_layers": 1, "n_units": 16, "seq_len": 64, "batch_size": 4, "max_epochs": 2, "patience": 1}
TINY_TRANSFORMER = {**TINY, "n_heads": 2, "d_feedforward": 16}

MODELS = {
    "lstm": lambda **kw: LSTMSeparator(**{**TINY, **kw}),
    "bilstm": lambda **kw: LSTMSeparator(bidirectional=True, **{**TINY, **kw}),
    "transformer-decoder": lambda **kw: TransformerSeparator(causal=True, **{**TINY_TRANSFORMER, **kw}),
    "transformer-encoder": lambda **kw: TransformerSeparator(causal=False, **{**TINY_TRANSFORMER, **kw}),
}
ONLINE = ("lstm", "transformer-decoder")


@pytest.fixture(scope="module")
def chorales(bach):
    """Ten real chorales: six to train on, two to validate on, two to predict."""
    pieces = bach.subset(range(0, 40, 4))
    return {
        "train": (pieces.notes[:6], pieces.labels[:6]),
        "valid": (pieces.notes[6:8], pieces.labels[6:8]),
        "test": (pieces.notes[8:], pieces.labels[8:]),
    }


def fit(name, chorales, **params):
    X, y = chorales["train"]
    return MODELS[name](**params).fit(X, y, validation=chorales["valid"])


# -- inputs ------------------------------------------------------------------------------------------
def test_entry_hints_mark_each_parts_first_note():
    labels = np.array([1, 0, 1, 0, 3])
    hints = entry_hint_matrix(labels, 4)
    assert hints.dtype == np.int8 and hints.shape == (5, 4)
    assert hints[:, 0].tolist() == [-1, 0, 1, 1, 1]
    assert hints[:, 1].tolist() == [0, 1, 1, 1, 1]
    assert hints[:, 2].tolist() == [-1] * 5  # part 2 never plays
    assert hints[:, 3].tolist() == [-1, -1, -1, -1, 0]
    # Cutting the piece after any note leaves the hints of the notes kept unchanged (online-safe).
    for stop in range(1, 6):
        assert np.array_equal(entry_hint_matrix(labels[:stop], 4), hints[:stop])


def test_pitch_hints_are_rounded_means_and_follow_transposition():
    notes = np.array([[0, 60, 24, 64, 0, 0], [0, 61, 24, 64, 0, 0], [24, 40, 24, 64, 0, 24]])
    labels = np.array([0, 0, 2])
    tokens = pitch_hint_tokens(notes, labels, 3)
    assert tokens.tolist() == [62, 0, 41]  # mean 60.5 rounds up to 61 (+1: row 0 is "no pitch")
    piece = piece_inputs(notes, labels, 3, pitch_hints=True)
    up = transpose(piece, 5)
    assert up.pitch.tolist() == [65, 66, 45] and up.pitch_hint.tolist() == [67, 0, 46]
    assert transpose(piece, 100).pitch.max() == 127 and transpose(piece, -100).pitch.min() == 0


def test_training_batches_draw_every_piece_once(chorales):
    X, y = chorales["train"]
    pieces = [piece_inputs(n, l, 4) for n, l in zip(X, y)]
    rng = np.random.default_rng(0)
    batches = list(training_batches(pieces, batch_size=4, seq_len=50, transposition=(-5, 6), rng=rng))
    assert sum(len(b.lengths) for b in batches) == len(pieces)
    assert max(b.lengths.max() for b in batches) == 50  # longer pieces are cut to random windows
    # Widths are rounded up to a multiple of 32 notes (a bounded set of shapes for PyTorch's caches).
    assert all(b.pitch.shape[1] % 32 == 0 and 0 <= b.pitch.shape[1] - b.lengths.max() < 32 for b in batches)
    for batch in batches:
        for row, length in enumerate(batch.lengths):
            assert np.all(batch.labels[row, length:] == -1) and np.all(batch.labels[row, :length] >= 0)


def test_an_epoch_covers_the_training_notes():
    from muspy_like.separation.sequence.training import passes_per_epoch

    assert passes_per_epoch([236] * 327, 500) == 1  # chorales: one window holds a whole piece
    assert passes_per_epoch([4000] * 40, 500) == 8  # long movements: eight windows of each per epoch
    assert passes_per_epoch([10], 500) == 1


@pytest.mark.parametrize("causal", [True, False])
@pytest.mark.parametrize("n_notes", [1, 10, 11, 25, 100, 101])
def test_window_plan_covers_every_note_once(n_notes, causal):
    plan = window_plan(n_notes, 10, causal)
    kept = np.concatenate([np.arange(a, b) for _, _, a, b in plan])
    assert kept.tolist() == list(range(n_notes))
    for start, stop, keep_start, keep_stop in plan:
        assert start <= keep_start < keep_stop <= stop <= n_notes and stop - start <= 10
        if causal and start > 0:
            assert keep_start - start >= 5  # every kept note has at least half a window before it
        if not causal:
            assert stop - start == min(10, n_notes)


def window_of_each_note(plan):
    return np.concatenate([np.full(b - a, start) for start, _, a, b in plan])


@pytest.mark.parametrize("n_notes", [11, 25, 100, 101])
def test_causal_window_plan_does_not_depend_on_later_notes(n_notes):
    windows = window_of_each_note(window_plan(n_notes, 10, causal=True))
    for shorter in range(1, n_notes):
        assert np.array_equal(window_of_each_note(window_plan(shorter, 10, causal=True)), windows[:shorter])


def test_bilstm_layer_is_pytorchs_bidirectional_lstm():
    from muspy_like.separation.sequence.networks import NetworkConfig, build_network, initialize, reverse_padded

    network = build_network(NetworkConfig(kind="lstm", n_parts=4, bidirectional=True, n_layers=1, n_units=8))
    initialize(network, torch.Generator().manual_seed(0))
    reference = torch.nn.LSTM(network.encoder.size, 4, batch_first=True, bidirectional=True)
    with torch.no_grad():
        for name, _ in network.lstms[0].named_parameters():
            getattr(reference, name).copy_(getattr(network.lstms[0], name))
            getattr(reference, name + "_reverse").copy_(getattr(network.backward_lstms[0], name))
    x = torch.randn(3, 7, network.encoder.size, generator=torch.Generator().manual_seed(1))
    lengths = torch.tensor([7, 4, 2])
    packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    expected = torch.nn.utils.rnn.pad_packed_sequence(reference(packed)[0], batch_first=True)[0]
    backward = reverse_padded(network.backward_lstms[0](reverse_padded(x, lengths))[0], lengths)
    ours = torch.cat([network.lstms[0](x)[0], backward], dim=-1)
    for row, length in enumerate(lengths):
        torch.testing.assert_close(ours[row, :length], expected[row, :length])


# -- the estimators ----------------------------------------------------------------------------------
def test_import_does_not_load_torch():
    code = ("import sys, muspy_like, muspy_like.separation, muspy_like.separation.sequence; "
            "print('torch' in sys.modules)")
    assert subprocess.check_output([sys.executable, "-c", code], text=True).strip() == "False"


@pytest.mark.parametrize("name", list(MODELS))
def test_seeded_training_is_repeatable(name, chorales):
    first, second = fit(name, chorales), fit(name, chorales)
    assert first.weights_.keys() == second.weights_.keys()
    assert all(np.array_equal(first.weights_[k], second.weights_[k]) for k in first.weights_)
    X, y = chorales["test"]
    assert all(np.array_equal(a, b) for a, b in zip(first.predict(X), second.predict(X)))
    other = fit(name, chorales, random_state=1)
    assert not all(np.array_equal(first.weights_[k], other.weights_[k]) for k in first.weights_)
    assert first.n_epochs_ == len(first.history_["validation_loss"]) and 1 <= first.best_epoch_ <= first.n_epochs_


@pytest.mark.parametrize("name", list(MODELS))
def test_save_load_round_trip_as_plain_arrays(name, chorales, tmp_path):
    model = fit(name, chorales, entry_hints=True)
    path = tmp_path / "model.npz"
    save_model(model, path)
    with np.load(path, allow_pickle=False) as archive:  # no pickle inside
        header = json.loads(str(archive["header"]))
        assert header["estimator"] == type(model).__name__
        assert {n[len("arrays/"):] for n in archive.files if n != "header"} == set(model.weights_)
    loaded = load_model(path)
    assert type(loaded) is type(model) and loaded.get_params() == model.get_params()
    assert loaded.history_ == model.history_ and loaded.best_epoch_ == model.best_epoch_
    X, y = chorales["test"]
    before, after = model.predict_log_proba(X, y), loaded.predict_log_proba(X, y)
    assert all(np.array_equal(a, b) for a, b in zip(before, after))


def test_model_archives_are_checked(chorales, tmp_path):
    model = fit("lstm", chorales)
    path = tmp_path / "model.npz"
    save_model(model, path)
    with np.load(path, allow_pickle=False) as archive:
        contents = {name: archive[name] for name in archive.files}
    header = json.loads(str(contents["header"]))
    header["version"] = 2
    contents["header"] = np.array(json.dumps(header))
    np.savez(tmp_path / "future.npz", **contents)
    with pytest.raises(SeparationError, match="version 2 is not supported.*retrain"):
        load_model(tmp_path / "future.npz")
    header["version"] = 1
    del contents["arrays/output.weight"]
    contents["header"] = np.array(json.dumps(header))
    np.savez(tmp_path / "damaged.npz", **contents)
    with pytest.raises(SeparationError, match="weights do not fit"):
        load_model(tmp_path / "damaged.npz").predict(chorales["test"][0])
    (tmp_path / "model.json").write_text(json.dumps({**header, "state": {}}))
    with pytest.raises(SeparationError, match="npz archive, not JSON"):
        load_model(tmp_path / "model.json")


def changed_after(notes, labels, onset, seed):
    """The piece with every note after ``onset`` (ticks) given a new random pitch, sorted again."""
    rng = np.random.default_rng(seed)
    notes = notes.copy()
    later = notes[:, 0] > onset
    notes[later, 1] = rng.integers(30, 90, size=int(later.sum()))
    return sort_notes(notes, labels)


@pytest.mark.parametrize("entry_hints", [False, True])
@pytest.mark.parametrize("name", list(MODELS))
def test_online_models_are_causal(name, entry_hints, chorales):
    # seq_len 64 < the piece's length: the Transformers predict it in windows, which must stay causal too.
    model = fit(name, chorales, entry_hints=entry_hints)
    notes, labels = chorales["test"][0][0], chorales["test"][1][0]
    cut = len(notes) // 2
    onset = notes[cut - 1, 0]
    keep = int(np.searchsorted(notes[:, 0], onset, side="right"))  # notes up to that onset stay as they are
    full = model.predict_log_proba([notes], [labels])[0]
    changed_notes, changed_labels = changed_after(notes, labels, onset, seed=1)
    changed = model.predict_log_proba([changed_notes], [changed_labels])[0]
    truncated = model.predict_log_proba([notes[:keep]], [labels[:keep]])[0]
    if name in ONLINE:
        np.testing.assert_allclose(changed[:keep], full[:keep], rtol=0, atol=1e-5)
        np.testing.assert_allclose(truncated, full[:keep], rtol=0, atol=1e-5)
    else:  # the offline models read the whole piece: the test can tell
        assert np.abs(changed[:keep] - full[:keep]).max() > 1e-4
    assert len(notes) > model.seq_len


@pytest.mark.parametrize("name", list(MODELS))
def test_labels_are_not_read_without_hints(name, chorales):
    model = fit(name, chorales)
    assert not model.requires_hints
    X, y = chorales["test"]
    wrong = [np.random.default_rng(0).integers(0, 4, len(labels)) for labels in y]
    without = model.predict_log_proba(X)
    for labels in (y, wrong, [np.zeros_like(labels) for labels in y]):
        assert all(np.array_equal(a, b) for a, b in zip(model.predict_log_proba(X, labels), without))


@pytest.mark.parametrize("hint", ["entry_hints", "pitch_hints"])
def test_hint_models_read_the_hints(hint, chorales):
    model = fit("lstm", chorales, **{hint: True})
    assert model.requires_hints
    X, y = chorales["test"]
    with pytest.raises(SeparationError, match="needs the parts of the notes"):
        model.predict(X)
    with_true = model.predict_log_proba(X, y)
    # Other hints give other predictions...
    rolled = [np.roll(labels, 7) for labels in y]
    assert any(not np.array_equal(a, b) for a, b in zip(with_true, model.predict_log_proba(X, rolled)))
    if hint == "entry_hints":
        # ...but only each part's first note is read: the labels after every part has entered do not matter.
        relabelled = []
        for labels in y:
            entered = max(int(np.argmax(labels == part)) for part in np.unique(labels))
            other = labels.copy()
            other[entered + 1:] = np.random.default_rng(0).integers(0, 4, len(labels) - entered - 1)
            relabelled.append(other)
        assert all(np.array_equal(a, b) for a, b in zip(with_true, model.predict_log_proba(X, relabelled)))


def test_device_choice_and_errors(chorales):
    model = fit("lstm", chorales, device="cpu")
    assert model.predict(chorales["test"][0])[0].dtype == np.int64
    double = fit("transformer-encoder", chorales, device="cpu", dtype="float64")
    assert all(value.dtype == np.float64 for value in double.weights_.values())
    assert double.predict_log_proba(chorales["test"][0])[0].dtype == np.float64
    if not torch.cuda.is_available():
        with pytest.raises(SeparationError, match="sees no CUDA GPU"):
            fit("lstm", chorales, device="cuda")
    with pytest.raises(SeparationError, match="not a PyTorch device"):
        fit("lstm", chorales, device="abacus")
    with pytest.raises(SeparationError, match="dtype must be one of"):
        fit("lstm", chorales, dtype="float16")
    with pytest.raises(SeparationError, match="multiple of n_heads"):
        fit("transformer-encoder", chorales, n_units=10, n_heads=4)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("name", list(MODELS))
def test_gpu_and_cpu_agree_in_float64(name, chorales):
    on_cpu = fit(name, chorales, device="cpu", dtype="float64")
    on_gpu = fit(name, chorales, device="cuda", dtype="float64")
    for key, value in on_cpu.weights_.items():
        np.testing.assert_allclose(on_gpu.weights_[key], value, rtol=1e-7, atol=1e-9)
    X, y = chorales["test"]
    assert all(np.array_equal(a, b) for a, b in zip(on_cpu.predict(X), on_gpu.predict(X)))


# -- with the rest of the package ----------------------------------------------------------------------
def test_evaluation_and_command_line_take_the_sequence_models(bach, chorales, tmp_path, capsys):
    from muspy_like import read, write
    from muspy_like.cli import main
    from muspy_like.separation import evaluate_baselines, music_to_notes

    small = bach.subset(range(0, 200, 10))  # 20 chorales: 16 / 2 / 2
    tiny = {name: {**TINY, "n_heads": 2, "d_feedforward": 16} if "transformer" in name else dict(TINY)
            for name in ("lstm", "transformer-encoder-entry-hints")}
    results = evaluate_baselines(small, n_splits=1, methods=list(tiny), params=tiny)
    rows = {row["method"]: row for row in results.rows()}
    assert rows["lstm"]["paper"] == 93.02 and rows["transformer-encoder-entry-hints"]["paper"] == 93.81
    assert 0 < rows["lstm"]["fixed"] <= 100 and len(results.random["transformer-encoder-entry-hints"]) == 1

    # A saved model separates a file from the command line.
    model = fit("lstm", chorales)
    model_path = tmp_path / "lstm.npz"
    save_model(model, model_path)
    from muspy_like.separation import separate
    from muspy_like.separation.recipes.bach import bach_files, read_bach_file

    music = read_bach_file(bach_files()[0])
    source, target = tmp_path / "chorale.mid", tmp_path / "satb.mid"
    write(source, music)
    assert main(["separate", str(source), str(target), "--model", str(model_path), "--ensemble", "satb_choir",
                 "--device", "cpu"]) == 0
    separated = read(target)
    assert [t.name for t in separated.tracks] == ["Soprano", "Alto", "Tenor", "Bass"]
    notes, _ = music_to_notes(music)
    assert sum(len(t.notes) for t in separated.tracks) == len(notes)
    # The same through the Python API, and the hint models refuse new music.
    assert [t.name for t in separate(music, model, ensemble="satb_choir").tracks][0] == "Soprano"
    with pytest.raises(SeparationError, match="cannot separate new music"):
        separate(music, fit("lstm", chorales, entry_hints=True))
    assert "Soprano:" in capsys.readouterr().out
