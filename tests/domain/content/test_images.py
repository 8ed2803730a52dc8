from __future__ import annotations

import base64

import pytest

from postwright.core.errors import PayloadTooLarge, ValidationFailed
from postwright.domain.content.images import MAX_IMAGE_BYTES, parse_data_uri
from tests.api.zorbit.helpers import png_data_uri


def test_a_png_data_uri_is_accepted() -> None:
    upload = parse_data_uri(png_data_uri())
    assert upload.content_type == "image/png"
    assert upload.data.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    "value",
    [
        "https://example.com/a.png",
        "data:text/plain;base64,aGVsbG8=",
        "data:image/png;base64,not base64!",
        "data:image/png;base64," + base64.b64encode(b"not an image").decode(),
    ],
)
def test_anything_but_a_real_picture_is_refused(value: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_data_uri(value)
    assert refused.value.details[0]["field"] == "image"


def test_an_image_over_10_mb_is_413() -> None:
    oversized = "data:image/png;base64," + "A" * (MAX_IMAGE_BYTES * 4 // 3 + 64)
    with pytest.raises(PayloadTooLarge):
        parse_data_uri(oversized)
