from __future__ import annotations

import httpx

from postwright.core.services import Services
from tests.factories import make_tenant

PERSONA = {
    "name": "Sustainability Lead",
    "voice": "warm, direct",
    "description": "Runs sustainability at a mid-size manufacturer",
    "keywords": ["sustainability", "ESG", "supply chain"],
    "avoidWords": ["greenwashing", "synergy"],
    "hashtags": ["#Sustainability"],
    "cta": "What would you measure first?",
}


async def test_persona_crud_in_the_voxburst_shape(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    h = tenant.headers
    created = await client.post("/v1/personas", json=PERSONA, headers=h)
    assert created.status_code == 201, created.text
    persona = created.json()["persona"]
    assert persona["keywords"] == ["sustainability", "ESG", "supply chain"]
    assert persona["avoidWords"] == ["greenwashing", "synergy"]
    assert persona["hashtags"] == ["#Sustainability"]

    patched = await client.patch(
        f"/v1/personas/{persona['id']}", json={"voice": "playful"}, headers=h
    )
    assert patched.json()["persona"]["voice"] == "playful"
    assert patched.json()["persona"]["name"] == "Sustainability Lead"
    listed = (await client.get("/v1/personas", headers=h)).json()["personas"]
    assert listed[0]["id"] == persona["id"]
    deleted = await client.delete(f"/v1/personas/{persona['id']}", headers=h)
    assert deleted.json() == {"id": persona["id"], "deleted": True}
    assert (await client.get(f"/v1/personas/{persona['id']}", headers=h)).status_code == 404


async def test_assemble_puts_a_stable_persona_block_first(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    persona = (await client.post("/v1/personas", json=PERSONA, headers=tenant.headers)).json()[
        "persona"
    ]
    url = f"/v1/personas/{persona['id']}/runtime/assemble"

    first = await client.post(
        url,
        json={
            "platform": "linkedin",
            "generationType": "POST_GENERATION",
            "ideaInput": "quarterly sustainability report results",
        },
        headers=tenant.headers,
    )
    second = await client.post(
        url,
        json={"platform": "x", "generationType": "POST_GENERATION", "ideaInput": "supplier audits"},
        headers=tenant.headers,
    )
    assert first.status_code == 200, first.text
    a, b = first.json(), second.json()
    assert set(a) == {"systemPrompt", "userPrompt"}
    assert "Sustainability Lead" in a["systemPrompt"].split("\n\n")[0]
    assert "quarterly sustainability report results" in a["userPrompt"]
    block_a, block_b = a["systemPrompt"].split("\n\n")[0], b["systemPrompt"].split("\n\n")[0]
    assert block_a == block_b
    assert a["systemPrompt"] != b["systemPrompt"]


async def test_assemble_refuses_unknown_generation_type_and_foreign_personas(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    stranger = await make_tenant(services, name="Other", email="x@example.com")
    persona = (await client.post("/v1/personas", json=PERSONA, headers=tenant.headers)).json()[
        "persona"
    ]
    url = f"/v1/personas/{persona['id']}/runtime/assemble"

    bad = await client.post(
        url, json={"generationType": "NOPE", "ideaInput": "x"}, headers=tenant.headers
    )
    foreign = await client.post(url, json={"ideaInput": "x"}, headers=stranger.headers)
    assert bad.status_code == 400
    assert foreign.status_code == 404
