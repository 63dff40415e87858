"""Echo watermarks for audio datasets (Tralie, Amery, Douglas, Utz, arXiv:2412.10649).

:func:`embed` hides a single echo, several echoes, or a time-spread echo pattern; :func:`detect_audio`
scores a clip by the cepstrum; :func:`~muspy_like.audio.watermark.pipeline.watermark_dataset` and
:func:`~muspy_like.audio.watermark.pipeline.detect` work over pieces and files with a manifest and a report.
"""

from __future__ import annotations

from muspy_like.audio.watermark.detect import THRESHOLD, Detection, detect_audio
from muspy_like.audio.watermark.echo import PAPER_ALPHA, PAPER_DELTAS, EchoWatermark, embed, limit_peak
from muspy_like.audio.watermark.pipeline import detect, watermark_dataset
from muspy_like.audio.watermark.sequences import spread_sequence

__all__ = [
    "EchoWatermark",
    "embed",
    "limit_peak",
    "detect_audio",
    "Detection",
    "watermark_dataset",
    "detect",
    "spread_sequence",
    "THRESHOLD",
    "PAPER_ALPHA",
    "PAPER_DELTAS",
]
