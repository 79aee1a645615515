"""The OpenAPI 3.1 document of `/api/v1`, served at `/api/v1/openapi.json`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

_ERROR = {"$ref": "#/components/schemas/Error"}


def _errors(*codes: int) -> dict:
    text = {401: "Missing, invalid or expired ticket", 403: "Ticket of another room",
            404: "No such room or ticket", 409: "The room is closed", 429: "Rate limited; see Retry-After",
            503: "The counter (Redis) is unreachable; retry after a few seconds"}
    return {str(code): {"description": text[code],
                        "content": {"application/json": {"schema": _ERROR}}} for code in codes}


_SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"},
         "description": "The room's public slug (from `/w/{slug}`)."}
_STATUS = {
    "type": "object", "required": ["position", "status", "people_ahead", "window_end", "paused"],
    "properties": {
        "position": {"type": "integer", "minimum": 1},
        "status": {"enum": ["waiting", "active", "expired", "closed"]},
        "people_ahead": {"type": "integer", "minimum": 0},
        "window_end": {"type": "integer", "description": "Highest position let in so far."},
        "paused": {"type": "boolean"},
        "eta_seconds": {"type": ["integer", "null"], "description": "Estimated seconds to admission."},
        "continue_before": {"type": "string", "format": "date-time"},
        "admission_token": {"type": ["string", "null"],
                            "description": "HS256 JWT for the target site (when active)."},
        "continue_url": {"type": ["string", "null"]},
    }}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "Queue System API", "version": "1",
             "description": "Waiting-room tickets and counter-ticket status. Errors are "
                            "`{\"error\": {\"code\", \"message\"}}`."},
    "servers": [{"url": "/api/v1"}],
    "components": {
        "securitySchemes": {"ticket": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        "schemas": {
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
            "TicketStatus": _STATUS,
            "NewTicket": {"allOf": [{"$ref": "#/components/schemas/TicketStatus"}, {
                "type": "object", "required": ["token"], "properties": {"token": {"type": "string"}}}]},
        }},
    "paths": {
        "/rooms/{slug}": {"get": {
            "summary": "A room's public state", "parameters": [_SLUG],
            "responses": {"200": {"description": "The room"}, **_errors(404)}}},
        "/rooms/{slug}/tickets": {"post": {
            "summary": "Take a ticket (a browser that has one gets it again)", "parameters": [_SLUG],
            "responses": {
                "201": {"description": "A new ticket", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/NewTicket"}}}},
                "200": {"description": "This browser's ticket, again", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/NewTicket"}}}},
                **_errors(404, 409, 429, 503)}}},
        "/rooms/{slug}/ticket": {"get": {
            "summary": "A ticket's status", "parameters": [_SLUG], "security": [{"ticket": []}],
            "responses": {"200": {"description": "Status", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/TicketStatus"}}}},
                **_errors(401, 403, 404, 429)}}},
        "/tickets/{secret}": {"get": {
            "summary": "A counter ticket's status by its secret",
            "parameters": [{"name": "secret", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"200": {"description": "Each person of the party: ticket, queue, state, "
                                                 "position, people_ahead, eta_seconds"},
                          **_errors(404, 429)}}},
    },
}


async def openapi(_request: Request) -> JSONResponse:
    return JSONResponse(DOCUMENT)
