"""HEAD answers like GET, without a body (RFC 9110 §9.3.2).

FastAPI registers only the methods a route declares, so ``HEAD /`` would be 405 although ``GET /``
works; monitors and link checkers use HEAD. This ASGI middleware runs a HEAD request as a GET
(same authentication, same status and headers, including ``Content-Length``) and drops the body.
"""

from __future__ import annotations

from typing import Any


class HeadAsGet:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") != "HEAD":
            await self.app(scope, receive, send)
            return
        scope = {**scope, "method": "GET"}
        sent_end = False

        async def send_head(message: dict) -> None:
            nonlocal sent_end
            if message["type"] == "http.response.body":
                if sent_end:
                    return
                if message.get("more_body", False):
                    return  # swallow streamed chunks until the last one
                sent_end = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, send_head)
