"""A seeded fuzz campaign on ABC reading (see ``tests/fuzz/harness.py`` and ``tests/fuzz/abc.py``): corrupt
variants of real files, each read every way the format can be read, in child processes with time and
memory limits.

``MUSPY_LIKE_FUZZ_SEED=N`` replays or explores another campaign.
"""

from __future__ import annotations

import pytest

from tests.fuzz.harness import campaign_seed, run_campaign

VARIANTS = 30


@pytest.mark.extra("music21")  # the ABC reader tokenizes with music21; its seeds include music21's corpus
def test_corrupt_abc_files_give_our_errors_and_the_same_verdict_every_way():
    campaign = run_campaign("abc", count=VARIANTS, seed=campaign_seed(20261206), per_file_seconds=10.0,
                            memory_bytes=1 << 30, batch_size=VARIANTS)
    report = "\n".join(str(finding) for finding in campaign.findings[:20])
    assert not campaign.findings, f"{len(campaign.findings)} findings:\n{report}"
    assert sum(campaign.verdicts.values()) == VARIANTS
    # both verdicts are common (else the corruptions are too mild or too brutal to test much)
    assert campaign.verdicts["accepted"] > VARIANTS // 20 and campaign.verdicts["refused"] > VARIANTS // 20
