"""Writing a watermark audit: summary tables (markdown, CSV, JSON), the clip scores, a histogram and an HTML page.

Layout written by :func:`write_audit_report`::

    OUT_DIR/
        summary.md, summary.csv    one row per candidate (the table of the HTML page)
        clips.csv                  one row per clip and candidate: file, clip, group, rate, z, ...
        audit.json                 everything: verdict, test, notes, candidates, clips, failures
        failures.csv               the files that could not be scored (only when there are some)
        histogram.png              clip z-scores, suspect against reference (or against the null)
        report.html                one self-contained page (the histogram embedded)

Every file is written atomically (:mod:`muspy_like.files`): it appears complete under its name or not at all.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any, Union

import numpy as np

from muspy_like.audio.watermark.audit import AuditResult
from muspy_like.files import atomic_write_text, prepare_output_folder

__all__ = ["write_audit_report", "summary_rows", "summary_markdown", "SUMMARY_FIELDS", "CLIP_FIELDS"]

#: Columns of the summary table (one row per candidate).
SUMMARY_FIELDS = ("candidate", "clips", "mean_z", "sd_z", "median_z", "share_over_threshold", "reference_clips",
                  "reference_mean_z", "reference_share_over_threshold", "auroc", "statistic", "p_value", "log10_p",
                  "holm_p", "present")
#: Columns of ``clips.csv``.
CLIP_FIELDS = ("file", "clip", "group", "sample_rate", "resampled", "seconds", "n_frames", "candidate", "z",
               "over_threshold")
_FAILURE_FIELDS = ("file", "group", "error", "message")


def summary_rows(result: AuditResult) -> list[dict[str, Any]]:
    """One dict per candidate with :data:`SUMMARY_FIELDS`."""
    rows = []
    for c in result.candidates:
        rows.append({
            "candidate": c.label, "clips": c.n_clips, "mean_z": c.mean_z, "sd_z": c.sd_z, "median_z": c.median_z,
            "share_over_threshold": c.share_over_threshold, "reference_clips": c.reference_clips,
            "reference_mean_z": c.reference_mean_z, "reference_share_over_threshold": c.reference_share_over_threshold,
            "auroc": c.auroc, "statistic": c.statistic, "p_value": c.p_value, "log10_p": c.log10_p,
            "holm_p": c.adjusted_p, "present": c.present,
        })
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        if value != 0 and abs(value) < 1e-3:
            return f"{value:.2e}"
        return f"{value:.3g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def summary_markdown(result: AuditResult) -> str:
    """The verdict, the test and the summary table as markdown (what the command line prints)."""
    headers = ["candidate", "clips", "mean z", "sd", f"share z>={result.threshold:g}"]
    reference = any(c.reference_clips for c in result.candidates)
    if reference:
        headers += ["ref. clips", "ref. mean z", "AUROC"]
    headers += ["p", "Holm p", "present"]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for c in result.candidates:
        cells = [c.label, c.n_clips, c.mean_z, c.sd_z, c.share_over_threshold]
        if reference:
            cells += [c.reference_clips, c.reference_mean_z, c.auroc]
        p = "< 1e-300" if c.p_value == 0 else _text(c.p_value)
        cells += [p, _text(c.adjusted_p), c.present]
        lines.append("| " + " | ".join(p if cell is p else _text(cell) for cell in cells) + " |")
    parts = [f"Verdict: {result.verdict}.", "", f"Test: {result.test}.", "", "\n".join(lines)]
    if result.notes:
        parts += [""] + [f"- {note}" for note in result.notes]
    return "\n".join(parts) + "\n"


def _csv(rows: list[dict[str, Any]], fields: tuple[str, ...]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fields), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: "" if row.get(key) is None else row.get(key) for key in fields})
    return buffer.getvalue()


def _clip_rows(result: AuditResult) -> list[dict[str, Any]]:
    rows = []
    for clip in result.clips:
        for label, z in clip.z.items():
            rows.append({"file": clip.file, "clip": clip.clip, "group": clip.group, "sample_rate": clip.sample_rate,
                         "resampled": clip.resampled, "seconds": clip.seconds, "n_frames": clip.n_frames,
                         "candidate": label, "z": round(z, 4) if math.isfinite(z) else "",
                         "over_threshold": bool(z >= result.threshold)})
    return rows


def _json_safe(value: Any) -> Any:
    """NaN and infinities as null (JSON has neither)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    return value


def plot_histogram(result: AuditResult) -> Any:
    """A figure with one panel per candidate: suspect clip z-scores against the reference or the null."""
    from muspy_like.statistics.plots import new_figure

    n = max(1, len(result.candidates))
    columns = min(n, 3)
    rows = math.ceil(n / columns)
    figure = new_figure(4.2 * columns, 3.2 * rows)
    for index, candidate in enumerate(result.candidates):
        axes = figure.add_subplot(rows, columns, index + 1)
        suspect = result.scores(candidate.label)
        reference = result.scores(candidate.label, "reference")
        decoys = result.decoy_z.get(candidate.label)
        everything = [v[np.isfinite(v)] for v in (suspect, reference) if len(v)]
        values = np.concatenate(everything) if everything else np.zeros(0)
        low = min(-4.0, float(values.min()) if len(values) else 0.0)
        high = max(result.threshold + 2, float(values.max()) if len(values) else 0.0)
        bins = np.linspace(low, high, 41)
        if len(suspect):
            axes.hist(suspect, bins=bins, alpha=0.6, color="#c0392b", label=f"suspect ({len(suspect)})")
        if len(reference):
            axes.hist(reference, bins=bins, alpha=0.6, color="#2471a3", label=f"reference ({len(reference)})")
        elif result.null == "normal" and len(suspect):
            grid = np.linspace(low, high, 400)
            density = np.exp(-grid**2 / 2) / math.sqrt(2 * math.pi) * len(suspect) * (bins[1] - bins[0])
            axes.plot(grid, density, color="#2471a3", label="null: N(0, 1)")
        elif decoys is not None and decoys.size and len(suspect):
            weights = np.full(decoys.size, len(suspect) / decoys.size)
            axes.hist(decoys.ravel(), bins=bins, weights=weights, histtype="step", color="#2471a3",
                      label=f"decoys ({decoys.shape[1]}, scaled)")
        axes.axvline(result.threshold, color="#555", linestyle="--", linewidth=1, label=f"threshold {result.threshold:g}")
        title = candidate.label + (f"  AUROC {candidate.auroc:.3f}" if candidate.auroc is not None else "")
        axes.set_title(title, fontsize=9)
        axes.set_xlabel("clip z-score")
        axes.set_ylabel("clips")
        axes.legend(fontsize=7)
    return figure


def _html(result: AuditResult, title: str, histogram: Path) -> str:
    from muspy_like.statistics.page import Failures, Figure, Paragraph, Section, Table, render_page

    headers = ["candidate", "clips", "mean z", "sd z", f"share z \u2265 {result.threshold:g}", "ref. clips",
               "ref. mean z", "AUROC", "p", "Holm p", "present"]
    rows = [[c.label, c.n_clips, c.mean_z, c.sd_z, c.share_over_threshold, c.reference_clips, c.reference_mean_z,
             c.auroc, "< 1e-300" if c.p_value == 0 else _text(c.p_value), _text(c.adjusted_p), c.present]
            for c in result.candidates]
    verdict = result.verdict[:1].upper() + result.verdict[1:] + "."
    failures: list = [Failures(result.failures, "file", _FAILURE_FIELDS, "the scores")]
    if result.silent:
        failures.append(Paragraph(f"Silent files (nothing to score): {', '.join(result.silent)}"))
    sections = [
        Section("Verdict", [Paragraph(verdict, "bad" if result.present else "ok", strong=True),
                            Paragraph(f"Test: {result.test}; threshold per clip z \u2265 {result.threshold:g}.")],
                bullets=result.notes),
        Section("Candidates", [Table(headers, rows)]),
        Section("Clip scores", [Figure("histogram", histogram, "Clip z-scores per candidate")]),
        Section("Failures", failures),
    ]
    suspect = sum(1 for clip in result.clips if clip.group == "suspect")
    reference = len(result.clips) - suspect
    facts = (f"{suspect} suspect clip(s), {reference} reference clip(s), {len(result.failures)} file(s) failed; "
             f"lags at {result.sample_rate} Hz. Per clip: clips.csv; everything: audit.json.")
    return render_page(title, facts, sections)


def write_audit_report(result: AuditResult, out_dir: Union[str, Path], title: str = "Watermark audit") -> dict[str, Path]:
    """Write the audit's tables, clip scores, histogram and HTML page into ``out_dir`` (created if needed).

    Returns
    -------
    dict of str to Path
        ``summary_md``, ``summary_csv``, ``clips``, ``json``, ``histogram``, ``html``, and ``failures``
        when some files failed.
    """
    from muspy_like.statistics.plots import save_figure

    out = prepare_output_folder(out_dir)
    written = {"summary_md": out / "summary.md", "summary_csv": out / "summary.csv", "clips": out / "clips.csv",
               "json": out / "audit.json", "histogram": out / "histogram.png", "html": out / "report.html"}
    atomic_write_text(written["summary_md"], f"# {title}\n\n" + summary_markdown(result))
    atomic_write_text(written["summary_csv"], _csv(summary_rows(result), SUMMARY_FIELDS))
    atomic_write_text(written["clips"], _csv(_clip_rows(result), CLIP_FIELDS))
    atomic_write_text(written["json"], json.dumps(_json_safe(result.to_dict()), indent=2) + "\n")
    if result.failures:
        written["failures"] = out / "failures.csv"
        atomic_write_text(written["failures"], _csv(result.failures, _FAILURE_FIELDS))
    save_figure(plot_histogram(result), written["histogram"])
    atomic_write_text(written["html"], _html(result, title, written["histogram"]))
    return written
