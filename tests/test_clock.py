"""mlci/clock.py: timestamps as the audit trail writes them."""

from __future__ import annotations

import re

from mlci.clock import now_iso


def test_now_iso_is_utc_to_the_second() -> None:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", now_iso())
