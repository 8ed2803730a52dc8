from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.domain.generation.fake_openai import FakeOpenAI


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    server.start()
    yield server
    server.stop()
