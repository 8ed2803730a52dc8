from __future__ import annotations

from postwright.core.services import Services
from postwright.domain.content import threads
from postwright.domain.content.conversation_models import MessageRole, ThreadType
from tests.domain.content.helpers import ctx_for
from tests.factories import make_tenant


async def test_context_is_the_last_ten_messages_in_order(services: Services) -> None:
    tenant = await make_tenant(services)
    async with services.db.transaction() as session:
        ctx = await ctx_for(session, services, tenant)
        thread = await threads.start_thread(
            ctx, type=ThreadType.POST, prompt="  A   long\nprompt " + "x" * 300
        )
        assert len(thread.title) <= threads.TITLE_LENGTH
        assert thread.title.startswith("A long prompt")
        for index in range(13):
            role = MessageRole.USER if index % 2 == 0 else MessageRole.ASSISTANT
            await threads.add_message(ctx, thread, role=role, content=f"m{index}")
        context = await threads.context_of(session, thread)
    assert context == [f"{'user' if i % 2 == 0 else 'assistant'}: m{i}" for i in range(3, 13)]
