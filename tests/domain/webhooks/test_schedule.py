from __future__ import annotations

from postwright.core.settings import WebhookSettings
from postwright.domain.webhooks.delivery import nominal_delay, retry_delay


def test_retries_back_off_exponentially_with_jitter_for_about_a_day() -> None:
    settings = WebhookSettings()
    delays = []
    number = 1
    while (delay := retry_delay(settings, number)) is not None:
        nominal = nominal_delay(settings, number)
        assert nominal <= delay <= nominal * 1.2
        delays.append(nominal)
        number += 1

    assert delays[:4] == [5, 15, 45, 135]
    assert max(delays) == settings.retry_max_delay_seconds
    assert 18 * 3600 <= sum(delays) <= 24 * 3600
    assert 10 <= len(delays) <= 15
