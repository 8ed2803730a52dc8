from __future__ import annotations

import pytest

from postwright.core.outbound import UnsafeUrl, ensure_public_url


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8080/hook",
        "http://10.0.0.7/hook",
        "http://192.168.1.1/hook",
        "http://172.16.0.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:10.0.0.1]/hook",
        "http://[fd00:ec2::254]/hook",
        "http://0.0.0.0/hook",
        "ftp://example.com/hook",
        "http://user:pass@93.184.215.14/hook",
        "not a url",
    ],
)
async def test_internal_or_odd_urls_are_refused(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        await ensure_public_url(url, allow_loopback=False)


async def test_public_addresses_pass() -> None:
    await ensure_public_url("https://93.184.215.14/hook", allow_loopback=False)


async def test_the_test_setting_lets_loopback_through_and_nothing_else_internal() -> None:
    await ensure_public_url("http://127.0.0.1:9000/hook", allow_loopback=True)
    with pytest.raises(UnsafeUrl):
        await ensure_public_url("http://10.0.0.7/hook", allow_loopback=True)
    with pytest.raises(UnsafeUrl):
        await ensure_public_url("http://169.254.169.254/", allow_loopback=True)
