"""The API's one error shape, `{"error": {"code", "message"}}`, and the client's address."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from queue_app.config import settings

UNAVAILABLE = ("The waiting room's counter cannot be reached right now. Nothing was lost: "
               "try again in a few seconds.")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, retry_after: int | None = None
                 ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


def error_response(status: int, code: str, message: str, retry_after: int | None = None
                   ) -> JSONResponse:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status,
                        headers=headers)


def client_ip(request: Request) -> str:
    """The peer, or behind a trusted proxy the rightmost `X-Forwarded-For` entry (see state.common)."""
    if settings.trust_proxy:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
    return request.client.host if request.client else "unknown"
