"""Discord's documented limits on what a bot may send, checked the way Discord checks them.

Limits: https://discord.com/developers/docs/resources/message#create-message and
https://discord.com/developers/docs/resources/message#embed-object-embed-limits; interaction response
types: https://discord.com/developers/docs/interactions/receiving-and-responding. A violation becomes
Discord's error body: `{"code": 50035, "message": "Invalid Form Body", "errors": {...}}`, where `errors`
nests by field path and ends in `{"_errors": [{"code": ..., "message": ...}]}`.
"""

from __future__ import annotations

from typing import Any

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBEDS_TOTAL_MAX = 6000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_NAME_MAX = 256
CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_VALUE_MAX = 100

FIRST_RESPONSE_S = 3.0  # an interaction must be answered (or deferred) within 3 seconds
TOKEN_LIFETIME_S = 15 * 60  # follow-ups and edits of the response: 15 minutes

# Interaction type → the response (callback) types Discord accepts for it.
PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
VALID_RESPONSES: dict[int, set[int]] = {
    PING: {1},
    APPLICATION_COMMAND: {4, 5, 9, 12},
    MESSAGE_COMPONENT: {4, 5, 6, 7, 9},
    AUTOCOMPLETE: {8},
    MODAL_SUBMIT: {4, 5, 6, 7},
}

Errors = dict[str, Any]


def _error(code: str, message: str) -> Errors:
    return {"_errors": [{"code": code, "message": message}]}


def _max_length(limit: int) -> Errors:
    return _error("BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _check_text(errors: Errors, key: str, value: Any, limit: int, *, required: bool = False) -> None:
    if value is None or value == "":
        if required:
            errors[key] = _error("BASE_TYPE_REQUIRED", "This field is required")
        return
    if len(str(value)) > limit:
        errors[key] = _max_length(limit)


def embed_size(embed: dict[str, Any]) -> int:
    """What Discord counts toward a message's 6,000 characters: title, description, field names and
    values, footer text and author name."""
    fields = sum(len(f.get("name") or "") + len(f.get("value") or "") for f in embed.get("fields") or [])
    return (len(embed.get("title") or "") + len(embed.get("description") or "") + fields
            + len((embed.get("footer") or {}).get("text") or "")
            + len((embed.get("author") or {}).get("name") or ""))


def embed_errors(embed: dict[str, Any]) -> Errors:
    errors: Errors = {}
    _check_text(errors, "title", embed.get("title"), TITLE_MAX)
    _check_text(errors, "description", embed.get("description"), DESCRIPTION_MAX)
    fields = embed.get("fields") or []
    if len(fields) > FIELDS_MAX:
        errors["fields"] = _max_length(FIELDS_MAX)
    else:
        for i, f in enumerate(fields):
            fe: Errors = {}
            _check_text(fe, "name", f.get("name"), FIELD_NAME_MAX, required=True)
            _check_text(fe, "value", f.get("value"), FIELD_VALUE_MAX, required=True)
            if fe:
                errors.setdefault("fields", {})[str(i)] = fe
    footer = embed.get("footer")
    if footer is not None:
        fe = {}
        _check_text(fe, "text", footer.get("text"), FOOTER_MAX, required=True)
        if fe:
            errors["footer"] = fe
    author = embed.get("author")
    if author is not None:
        ae: Errors = {}
        _check_text(ae, "name", author.get("name"), AUTHOR_NAME_MAX, required=True)
        if ae:
            errors["author"] = ae
    return errors


def message_errors(body: dict[str, Any]) -> Errors:
    """Field errors of a message body (create, follow-up, edit or type-4/7 response data)."""
    errors: Errors = {}
    _check_text(errors, "content", body.get("content"), CONTENT_MAX)
    embeds = body.get("embeds") or []
    if len(embeds) > EMBEDS_MAX:
        errors["embeds"] = _max_length(EMBEDS_MAX)
    else:
        per_embed = {str(i): e for i, embed in enumerate(embeds) if (e := embed_errors(embed))}
        if per_embed:
            errors["embeds"] = per_embed
        elif sum(embed_size(e) for e in embeds) > EMBEDS_TOTAL_MAX:
            errors["embeds"] = _error("MAX_EMBED_SIZE_EXCEEDED",
                                      f"Embed size exceeds maximum size of {EMBEDS_TOTAL_MAX}")
    return errors


def is_empty(body: dict[str, Any], files: list[str] | None = None) -> bool:
    """Nothing to show: no content, embeds, components, stickers, poll or files (Discord: error 50006)."""
    return not (body.get("content") or body.get("embeds") or body.get("components")
                or body.get("sticker_ids") or body.get("poll") or body.get("attachments") or files)


def autocomplete_errors(data: dict[str, Any]) -> Errors:
    errors: Errors = {}
    choices = data.get("choices")
    if choices is None:
        return {"choices": _error("BASE_TYPE_REQUIRED", "This field is required")}
    if len(choices) > CHOICES_MAX:
        return {"choices": _max_length(CHOICES_MAX)}
    for i, c in enumerate(choices):
        ce: Errors = {}
        name = c.get("name") or ""
        if not 1 <= len(name) <= CHOICE_NAME_MAX:
            ce["name"] = _error("BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {CHOICE_NAME_MAX} in length.")
        value = c.get("value")
        if isinstance(value, str) and not 1 <= len(value) <= CHOICE_VALUE_MAX:
            ce["value"] = _error("BASE_TYPE_BAD_LENGTH",
                                 f"Must be between 1 and {CHOICE_VALUE_MAX} in length.")
        if ce:
            errors.setdefault("choices", {})[str(i)] = ce
    return errors


def invalid_form_body(errors: Errors) -> dict[str, Any]:
    """Discord's 400 body for field errors."""
    return {"code": 50035, "message": "Invalid Form Body", "errors": errors}
