"""Echo watermarks: embedding by hand-checkable kernels, detection on rendered music, pipeline and CLI."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from muspy_like.audio import read_audio, render, write_audio
from muspy_like.audio.watermark import (
    THRESHOLD,
    EchoWatermark,
    detect,
    detect_audio,
    embed,
    spread_sequence,
    watermark_dataset,
)
from muspy_like.audio.watermark.detect import NULL_LAGS, WHITENING_WIDTH, spread_echo_zscore
from muspy_like.cli import main
from muspy_like.errors import AudioError, WatermarkError

from .conftest import SAMPLE_RATE, chorale_like, mp3_round_trip

SINGLE = EchoWatermark("single", delta=75)
SPREAD = EchoWatermark("spread", delta=75, seed=11)


def _longest_run(values: np.ndarray) -> int:
    changes = np.nonzero(np.diff(values))[0]
    bounds = np.concatenate(([-1], changes, [len(values) - 1]))
    return int(np.diff(bounds).max())


def test_sequences_are_seeded_plus_minus_one_with_runs_of_at_most_two():
    q = spread_sequence(5)
    assert q.shape == (1024,) and set(np.unique(q)) == {-1.0, 1.0}
    assert _longest_run(q) == 2
    np.testing.assert_array_equal(q, spread_sequence(5))
    assert np.mean(q != spread_sequence(6)) > 0.3
    assert abs(q.sum()) < 100  # balanced: alternating runs


def test_single_and_multiple_echoes_match_the_formula():
    x = np.zeros(1000)
    x[10] = 0.5
    y = embed(x, SAMPLE_RATE, EchoWatermark("single", delta=(50, 100), alpha=(0.4, 0.2)))
    expected = np.zeros(1000)
    expected[[10, 60, 110]] = [0.5, 0.5 * 0.4, 0.5 * 0.2]  # y[n] = x[n] + sum alpha_i x[n - delta_i]
    np.testing.assert_allclose(y, expected, atol=1e-7)


def test_spread_echo_is_the_kernel_with_the_same_length():
    x = np.zeros((3000, 2))
    x[0] = 0.5
    y = embed(x, SAMPLE_RATE, SPREAD)
    assert y.shape == x.shape
    expected = np.zeros(3000)
    expected[0] = 0.5
    expected[75: 75 + 1024] = 0.5 * 0.01 * spread_sequence(11)
    np.testing.assert_allclose(y[:, 0], expected, atol=1e-7)
    np.testing.assert_allclose(y[:, 1], expected, atol=1e-7)


def test_embedding_keeps_peaks_below_one_and_int16_safe(tmp_path):
    loud = 0.98 * np.sign(np.sin(2 * np.pi * 10 * np.arange(SAMPLE_RATE) / SAMPLE_RATE))  # 10 Hz square
    marked = embed(loud, SAMPLE_RATE, SINGLE)  # would reach 1.37 without limiting
    assert np.abs(marked).max() == pytest.approx(0.99, abs=1e-6)
    back, _ = read_audio(write_audio(tmp_path / "m.wav", marked, SAMPLE_RATE))
    assert np.abs(back[:, 0] - marked).max() <= 1.0 / 32767 + 1e-6  # no wrap-around
    int16 = (loud * 32767).astype(np.int16)
    assert np.abs(embed(int16, SAMPLE_RATE, SINGLE)).max() <= 0.99 + 1e-6


def test_parameters_and_rates_are_checked():
    with pytest.raises(WatermarkError, match="44100 Hz"):
        embed(np.zeros(50000), 48000, SINGLE)
    with pytest.raises(WatermarkError, match="fewer than"):
        embed(np.zeros(500), SAMPLE_RATE, SPREAD)
    with pytest.raises(WatermarkError, match="single lag"):
        EchoWatermark("spread", delta=(50, 75))
    with pytest.raises(WatermarkError, match="alpha"):
        EchoWatermark("single", alpha=1.5)
    with pytest.raises(WatermarkError, match="method"):
        EchoWatermark("triple")
    assert EchoWatermark("single").alphas == (0.4,) and EchoWatermark("spread").alphas == (0.01,)


@pytest.fixture(scope="module")
def renders(fluid):
    """Short renders of four different pieces: two per engine."""
    return [render(chorale_like(seed, seconds=8), engine="synth" if seed % 2 else fluid) for seed in range(4)]


@pytest.mark.parametrize("mark", [SINGLE, SPREAD, EchoWatermark("single", delta=(50, 100))], ids=["single", "spread", "two"])
def test_marks_on_rendered_music_are_found_far_above_the_threshold(renders, mark):
    for audio in renders:
        marked = detect_audio(embed(audio, SAMPLE_RATE, mark), SAMPLE_RATE, mark)
        assert marked.marked and marked.z > THRESHOLD + 2
        assert len(marked.z_segments) == 2  # 8 s + tail: two 5 s segments
        assert not detect_audio(audio, SAMPLE_RATE, mark).marked


def test_no_false_positive_on_unmarked_renders(renders):
    singles = [EchoWatermark("single", delta=d) for d in (50, 75, 76, 100)]
    spreads = [EchoWatermark("spread", seed=s) for s in range(4)]
    single_scores = [detect_audio(audio, SAMPLE_RATE, mark).z for audio in renders for mark in singles]
    spread_scores = [detect_audio(audio, SAMPLE_RATE, mark).z for audio in renders for mark in spreads]
    # A sustained A4 (period 100.2 samples) puts a pitch peak near lag 100: single echoes have less margin.
    assert max(single_scores) < THRESHOLD
    assert max(spread_scores) < 3


def _plain_spread_zscore(cepstrum: np.ndarray, q: np.ndarray, delta: int) -> float:
    """The textbook score, written out here: correlation with q at each lag, z against lags 25..150."""
    r = {lag: float(np.dot(cepstrum[lag: lag + len(q)], q)) for lag in range(25, 151)}
    null = [r[lag] for lag in r if abs(lag - delta) > 2]
    return (r[delta] - np.mean(null)) / np.std(null)


def test_whitening_is_the_better_filter_when_the_cepstrum_is_louder_at_short_lags():
    # A cepstrum whose background falls from 0.02 (lag 20) to 0.004 (lag 1400), like a rendered piece's,
    # plus a faint spread echo: whitening weights each lag by 1 / background level.
    rng = np.random.default_rng(3)
    q = spread_sequence(4)
    lags = np.arange(75 + 1024 + 150 + WHITENING_WIDTH)
    level = 0.02 * (0.004 / 0.02) ** (np.clip(lags - 20, 0, None) / 1380)
    whitened, plain, unmarked = [], [], []
    for _ in range(40):
        background = rng.normal(0.0, 1.0, len(lags)) * level
        marked = background.copy()
        marked[75: 75 + 1024] += 0.0015 * q
        whitened.append(spread_echo_zscore(marked, q, 75))
        plain.append(_plain_spread_zscore(marked, q, 75))
        unmarked.append(spread_echo_zscore(background, q, 75))
    assert np.mean(whitened) > 1.08 * np.mean(plain) and np.mean(plain) > 3  # about 1.15-1.2 times
    assert abs(np.mean(unmarked)) < 0.5 and 0.6 < np.std(unmarked) < 1.5  # still a z-score under no mark


@pytest.fixture(scope="module")
def chorale(fluid):
    """Bach's chorale BWV 66.6 from music21's corpus, rendered with FluidSynth (about 23 s)."""
    import music21

    from muspy_like import read

    return render(read(music21.corpus.getWork("bwv66.6")), SAMPLE_RATE, engine=fluid)


def test_marks_survive_30_db_noise_and_mp3_on_a_rendered_chorale(chorale, tmp_path):
    # Spread scores carry a piece-independent offset per seed (see docs/audio.md): average four seeds.
    marks = [SINGLE] + [EchoWatermark("spread", seed=seed) for seed in range(4)]
    noise = np.random.default_rng(0).normal(0.0, np.sqrt(np.mean(chorale**2) / 1000), chorale.shape)
    noisy, mp3, unmarked = [], [], []
    for mark in marks:
        marked = embed(chorale, SAMPLE_RATE, mark)
        noisy.append(detect_audio(marked + noise, SAMPLE_RATE, mark).z)
        mp3.append(detect_audio(mp3_round_trip(marked, tmp_path), SAMPLE_RATE, mark).z)
        unmarked.append(detect_audio(chorale + noise, SAMPLE_RATE, mark).z)
    assert noisy[0] >= THRESHOLD and mp3[0] >= THRESHOLD + 1
    assert np.mean(noisy[1:]) >= THRESHOLD - 0.5 and np.mean(mp3[1:]) >= THRESHOLD + 1.5
    assert max(unmarked) < 2.5 and min(noisy) > max(unmarked) + 1


def test_a_different_seed_does_not_detect(renders):
    marked = embed(renders[1], SAMPLE_RATE, SPREAD)
    assert detect_audio(marked, SAMPLE_RATE, EchoWatermark("spread", seed=12)).z < 3


def test_band_limited_detector_survives_22050_hz(renders):
    from scipy.signal import resample_poly

    marked = embed(renders[0], SAMPLE_RATE, SINGLE)
    low_rate = resample_poly(marked, 1, 2, axis=0)
    with pytest.raises(WatermarkError, match="resample=True"):  # never a silent miss
        detect_audio(low_rate, 22050, SINGLE)
    direct = detect_audio(low_rate, 22050, SINGLE, resample=True)  # resampled back and band-limited
    assert direct.band_hz == (0.0, pytest.approx(0.95 * 11025))
    round_trip = resample_poly(low_rate, 2, 1, axis=0)
    full_band = detect_audio(round_trip, SAMPLE_RATE, SINGLE).z
    limited = detect_audio(round_trip, SAMPLE_RATE, SINGLE, band_hz=(0, 10500)).z
    assert limited > full_band + 2 and limited > 4 and direct.z > 4


def test_segments_aggregate_by_mean_or_cepstrum(renders):
    marked = embed(renders[2], SAMPLE_RATE, SPREAD)
    by_cepstrum = detect_audio(marked, SAMPLE_RATE, SPREAD)
    by_mean = detect_audio(marked, SAMPLE_RATE, SPREAD, aggregate="mean")
    assert by_mean.z == pytest.approx(np.mean(by_cepstrum.z_segments))
    assert by_cepstrum.z >= min(by_cepstrum.z_segments)


def test_silence_is_not_marked():
    result = detect_audio(np.zeros((SAMPLE_RATE, 2)), SAMPLE_RATE, SINGLE)
    assert np.isnan(result.z) and not result.marked and result.n_frames == 0 and result.silent


def test_dataset_pipeline_writes_marked_files_manifest_and_report(tmp_path):
    pieces = [chorale_like(seed, seconds=6, programs=(0, 40)) for seed in (7, 8)]
    pieces[0].metadata.title = "first piece"
    rows = watermark_dataset(pieces, tmp_path / "out", SPREAD)
    assert len(rows) == 2 * 3  # a mix and two stems per piece
    assert {row["track"] for row in rows} == {"mix", "0", "1"}
    assert all(row["z"] > THRESHOLD and row["seed"] == 11 and row["method"] == "spread" for row in rows)
    with open(tmp_path / "out" / "manifest.csv") as handle:
        manifest = list(csv.DictReader(handle))
    assert [m["file"] for m in manifest] == [row["file"] for row in rows]
    assert manifest[0]["piece"] == "first_piece"
    # The mix of a piece is the sum of its stems (before marking): check on the written files.
    mix, _ = read_audio(tmp_path / "out" / "first_piece" / "mix.wav")
    stems = [read_audio(tmp_path / "out" / row["file"])[0] for row in rows[1:3]]
    assert np.corrcoef(np.sum(stems, axis=0).ravel(), mix.ravel())[0, 1] > 0.999

    clean = tmp_path / "clean.wav"
    write_audio(clean, render(pieces[1]), SAMPLE_RATE)
    (tmp_path / "out" / "broken.wav").write_bytes(b"not audio")
    report = tmp_path / "report.json"
    results = detect([tmp_path / "out", clean], SPREAD, report=report)
    by_name = {r["file"].split("/")[-1]: r for r in results}
    assert by_name["clean.wav"]["marked"] is False
    assert "cannot read audio" in by_name["broken.wav"]["error"]
    assert sum(r["marked"] for r in results) == 6
    saved = json.loads(report.read_text())
    assert saved["threshold"] == THRESHOLD and len(saved["files"]) == len(results)


def test_cli_render_embed_detect(tmp_path, capsys, midi_dir):
    source = tmp_path / "piece.json"
    piece = chorale_like(3, seconds=5)
    from muspy_like.io import save

    try:
        save(source, piece)
    except Exception:  # the native writer belongs to another area; fall back to a MIDI file from the shared data
        source = sorted(midi_dir.glob("*.mid"))[0]
    audio_path = tmp_path / "piece.wav"
    assert main(["render", str(source), str(audio_path)]) == 0
    marked_path = tmp_path / "marked.wav"
    assert main(["watermark", "embed", str(audio_path), str(marked_path), "--method", "single"]) == 0
    capsys.readouterr()
    report = tmp_path / "r.csv"
    assert main(["watermark", "detect", str(audio_path), str(marked_path), "--method", "single",
                 "--report", str(report)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "not marked" in lines[0] and "MARKED" in lines[1]
    with open(report) as handle:
        assert [row["marked"] for row in csv.DictReader(handle)] == ["False", "True"]
    assert main(["render", str(tmp_path / "missing.mid"), str(audio_path)]) == 2


def _in_random_blocks(audio: np.ndarray, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    cuts = np.sort(rng.choice(np.arange(1, len(audio)), size=40, replace=False))
    return np.split(audio, cuts)


@pytest.mark.parametrize("mark", [SINGLE, SPREAD, EchoWatermark("single", delta=(50, 100))], ids=["single", "spread", "two"])
def test_streamed_embedding_equals_one_shot_embedding(renders, mark):
    from muspy_like.audio.watermark import EchoEmbedder

    audio = renders[1]
    embedder = EchoEmbedder(mark, channels=2)
    streamed = np.concatenate([embedder.process(b) for b in _in_random_blocks(audio, 0)] + [embedder.flush()])
    np.testing.assert_array_equal(streamed, embed(audio, SAMPLE_RATE, mark, peak=1.0))
    # And the echo itself reaches across the block boundaries: the kernel, applied by hand, agrees.
    from scipy.signal import fftconvolve

    by_hand = fftconvolve(audio, mark.kernel()[:, None], axes=0)[: len(audio)]
    np.testing.assert_allclose(streamed, by_hand, atol=2e-6)


@pytest.mark.parametrize("resampled", [False, True])
def test_streamed_detection_equals_one_shot_detection(renders, resampled):
    from muspy_like.audio.watermark import detect_blocks

    audio = embed(renders[2], SAMPLE_RATE, SPREAD)
    rate = SAMPLE_RATE
    if resampled:
        from scipy.signal import resample_poly

        audio, rate = resample_poly(audio, 1, 2, axis=0).astype(np.float32), SAMPLE_RATE // 2
    one_shot = detect_audio(audio, rate, SPREAD, resample=resampled)
    streamed = detect_blocks(_in_random_blocks(audio, 1), rate, SPREAD, resample=resampled)
    assert streamed == one_shot  # every field: z, per-lag and per-segment scores, frames, band
    assert one_shot.marked and one_shot.n_frames > 30


def test_one_accumulation_scores_many_watermarks_and_clips_merge(renders):
    from muspy_like.audio.watermark import CepstrumAccumulator, score

    marked = embed(renders[0], SAMPLE_RATE, SPREAD)
    accumulator = CepstrumAccumulator(SAMPLE_RATE, SAMPLE_RATE // 2, 5 * SAMPLE_RATE)
    accumulator.update(marked)
    scores = {seed: score(accumulator, EchoWatermark("spread", seed=seed)).z for seed in (10, 11, 12)}
    assert scores[11] == pytest.approx(detect_audio(marked, SAMPLE_RATE, SPREAD).z)
    assert scores[11] > THRESHOLD > max(scores[10], scores[12])
    other = CepstrumAccumulator(SAMPLE_RATE, SAMPLE_RATE // 2, 5 * SAMPLE_RATE)
    other.update(embed(renders[1], SAMPLE_RATE, SPREAD))
    frames = accumulator.n_frames + other.n_frames
    merged = accumulator.merge(other)
    assert merged.n_frames == frames and score(merged, SPREAD).marked


def test_files_are_embedded_and_scored_block_by_block_like_arrays(renders, tmp_path):
    from muspy_like.audio.watermark import detect_file, embed_file

    source = write_audio(tmp_path / "clean.wav", renders[3], SAMPLE_RATE)
    result = embed_file(source, tmp_path / "marked.wav", SPREAD, block_size=5000)
    audio, _ = read_audio(source)
    write_audio(tmp_path / "ref.wav", embed(audio, SAMPLE_RATE, SPREAD), SAMPLE_RATE)
    assert (tmp_path / "marked.wav").read_bytes() == (tmp_path / "ref.wav").read_bytes()
    marked, _ = read_audio(tmp_path / "marked.wav")
    assert result == detect_audio(marked, SAMPLE_RATE, SPREAD) == detect_file(tmp_path / "marked.wav", SPREAD, block_size=777)
    assert result.marked


def test_embedding_silence_or_at_another_rate_is_refused_and_writes_nothing(tmp_path):
    from muspy_like.audio.watermark import embed_file

    silent = write_audio(tmp_path / "silent.wav", np.zeros((SAMPLE_RATE * 2, 2)), SAMPLE_RATE)
    with pytest.raises(WatermarkError, match="silent"):
        embed_file(silent, tmp_path / "out.wav", SPREAD)
    low = write_audio(tmp_path / "low.wav", np.full((22050 * 2, 2), 0.1), 22050)
    with pytest.raises(WatermarkError, match=r"low\.wav: .*22050 Hz.*sample_rate=22050"):
        embed_file(low, tmp_path / "out.wav", SPREAD)
    with pytest.raises(AudioError, match="no such file"):
        embed_file(tmp_path / "none.wav", tmp_path / "out.wav", SPREAD)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["low.wav", "silent.wav"]


@pytest.mark.parametrize("bad", [0, -44100, 0.5, float("nan"), 100, 1_000_000])
def test_detection_refuses_bad_sample_rates_by_name(bad):
    with pytest.raises(AudioError, match="sample_rate must be"):
        detect_audio(np.zeros(SAMPLE_RATE), bad, SPREAD)
    with pytest.raises(AudioError, match="sample_rate must be"):
        EchoWatermark(sample_rate=bad)


def test_dataset_writes_the_good_pieces_and_lists_the_bad_ones(tmp_path, midi_dir):
    source = tmp_path / "src"
    source.mkdir()
    good = sorted(midi_dir.glob("*.mid"))[0]
    (source / "a_good.mid").write_bytes(good.read_bytes())
    (source / "b_broken.mid").write_bytes(b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x00\x60MTrk\x00\x00\x10\x00\x00\x90")
    (source / "c_good.mid").write_bytes(good.read_bytes())
    manifest = watermark_dataset(source, tmp_path / "out", SINGLE, stems=False)
    assert [row["piece"] for row in manifest] == ["a_good", "c_good"]
    assert [f["source"] for f in manifest.failures] == [str(source / "b_broken.mid")]
    assert manifest.failures[0]["error"] == "MIDIError"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "a_good", "c_good", "failures.csv", "manifest.csv", "manifest.json"]
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["failures"] == manifest.failures


def test_cli_output_mistakes_rates_and_failures(tmp_path, capsys, midi_dir):
    source = sorted(midi_dir.glob("*.mid"))[0]
    clean = tmp_path / "clean.wav"
    assert main(["render", str(source), str(clean)]) == 0
    (tmp_path / "folder").mkdir()
    capsys.readouterr()
    mistakes = [
        (["render", str(source), str(tmp_path / "nodir" / "x.wav")], "nodir does not exist"),
        (["render", str(source), str(tmp_path / "folder")], "folder: it is a folder, not a file"),
        (["render", str(source), str(clean / "stems"), "--stems"], "clean.wav is a file"),
        (["render", str(source), str(tmp_path / "x.wav"), "--sample-rate", "100"], "--sample-rate must be between"),
        (["render", str(source), str(tmp_path / "x.wav"), "--max-duration", "1"], "longer than --max-duration"),
        (["render", str(source), str(tmp_path / "x.wav"), "--engine", "fluidsynth", "--soundfont",
          str(tmp_path / "none.sf2")], "--soundfont PATH"),
        (["watermark", "embed", str(clean), str(tmp_path / "nodir" / "m.wav")], "nodir does not exist"),
        (["watermark", "embed", str(clean), str(tmp_path / "folder")], "it is a folder"),
        (["watermark", "embed", str(clean), str(tmp_path / "m.wav"), "--rate", "22050"], "--rate 44100"),
        (["watermark", "embed", str(tmp_path / "none.wav"), str(tmp_path / "m.wav")], "none.wav: no such file"),
        (["watermark", "detect", str(clean), "--report", str(tmp_path / "nodir" / "r.csv")], "nodir does not exist"),
        (["watermark", "detect", str(clean), "--report", str(tmp_path / "folder")], "folder: it is a folder"),
    ]
    for argv, message in mistakes:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1 and "Traceback" not in err, (argv, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean.wav", "folder"]  # nothing partial anywhere
    # Detection at another rate: refused with the options to use, exit status 2 when nothing was scored.
    low = write_audio(tmp_path / "low.wav", render(chorale_like(1, seconds=4), sample_rate=22050), 22050)
    assert main(["watermark", "embed", str(low), str(tmp_path / "m22.wav"), "--rate", "22050"]) == 0
    capsys.readouterr()
    assert main(["watermark", "detect", str(tmp_path / "m22.wav")]) == 2
    out = capsys.readouterr().out
    assert "--rate 22050" in out and "--resample" in out
    assert main(["watermark", "detect", str(tmp_path / "m22.wav"), "--rate", "22050"]) == 0
    assert "MARKED" in capsys.readouterr().out
    silent = write_audio(tmp_path / "silent.wav", np.zeros((SAMPLE_RATE, 2)), SAMPLE_RATE)
    assert main(["watermark", "embed", str(silent), str(tmp_path / "s.wav")]) == 2
    assert "silent" in capsys.readouterr().err and not (tmp_path / "s.wav").exists()


def test_detection_memory_does_not_grow_with_the_length_of_the_audio():
    import tracemalloc

    from muspy_like.audio.watermark import detect_blocks

    mark = EchoWatermark("spread", seed=3, sample_rate=8000)

    def peak(seconds: int) -> int:
        rng = np.random.default_rng(0)
        blocks = (rng.uniform(-0.3, 0.3, (8000, 2)).astype(np.float32) for _ in range(seconds))
        tracemalloc.start()
        try:
            result = detect_blocks(blocks, 8000, mark)
            assert len(result.z_segments) == seconds // 5
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak(5)  # the first call pays the imports
    short, long = peak(60), peak(960)
    # 16x the audio; what may grow is the documented part: one cepstrum of lags_needed lags per 5 s segment.
    from muspy_like.audio.watermark.detect import lags_needed

    per_segment = 8 * lags_needed(mark)
    assert long - short < 1.5 * per_segment * (960 - 60) / 5, (short, long)
