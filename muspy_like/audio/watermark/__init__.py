"""Echo watermarks for audio datasets (Tralie, Amery, Douglas, Utz, arXiv:2412.10649).

:func:`embed` hides a single echo, several echoes, or a time-spread echo pattern; :func:`detect_audio`
scores a clip by the cepstrum; :func:`~muspy_like.audio.watermark.pipeline.watermark_dataset` and
:func:`~muspy_like.audio.watermark.pipeline.detect` work over pieces and files with a manifest and a report.
The streaming forms (:class:`EchoEmbedder`, :func:`embed_blocks`, :func:`embed_file`, :func:`detect_blocks`,
:func:`detect_file`, :class:`CepstrumAccumulator` with :func:`score`) give the same results block by block,
in memory independent of the length of the audio. :func:`audit` tests a generative model's outputs for the
watermarks of its suspected training data (:func:`write_audit_report` writes its tables, histogram and
HTML page); :mod:`muspy_like.audio.watermark.experiment` trains DDSP models on marked renders to show it.
"""

from __future__ import annotations

from muspy_like.audio.watermark.detect import (
    THRESHOLD,
    CepstrumAccumulator,
    Detection,
    detect_audio,
    detect_blocks,
    score,
)
from muspy_like.audio.watermark.echo import PAPER_ALPHA, PAPER_DELTAS, EchoEmbedder, EchoWatermark, embed, limit_peak
from muspy_like.audio.watermark.pipeline import (
    DatasetManifest,
    detect,
    detect_file,
    embed_blocks,
    embed_file,
    watermark_dataset,
)
from muspy_like.audio.watermark.sequences import spread_sequence
from muspy_like.audio.watermark.audit import AuditResult, audit, candidate_watermarks
from muspy_like.audio.watermark.audit_report import write_audit_report

__all__ = [
    "EchoWatermark",
    "embed",
    "EchoEmbedder",
    "embed_blocks",
    "embed_file",
    "limit_peak",
    "detect_audio",
    "detect_blocks",
    "detect_file",
    "CepstrumAccumulator",
    "score",
    "Detection",
    "watermark_dataset",
    "DatasetManifest",
    "detect",
    "spread_sequence",
    "audit",
    "AuditResult",
    "candidate_watermarks",
    "write_audit_report",
    "THRESHOLD",
    "PAPER_ALPHA",
    "PAPER_DELTAS",
]
