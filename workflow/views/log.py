"""The public, read-only log API (DESIGN.md §4): C2SP tlog-tiles paths and JSON proofs.

``GET /log/checkpoint``, ``/log/key``, ``/log/tile/<L>/<N>[.p/<W>]``, ``/log/tile/entries/<N>[.p/<W>]``
and ``GET /api/v1/log/proof/{inclusion,consistency}``. No sign-in, no cookies, no session: anyone
(a witness, a mirror, an inspector's verifier) can fetch and cache them. docs/log-http.md is the
client documentation.

Everything served stops at the latest *signed* checkpoint, never at the log head: a client that
only trusts signed tree heads must never be handed a hash, an entry or a proof for a size nobody
has signed. Below that size every byte is immutable (stored hashes and leaves are insert-only), so
full tiles and proofs are cached for a year; only the checkpoint, the key and partial tiles (which
the full tile supersedes) are short-lived.

Import rule: flask, marshmallow, ``audit`` and ``workflow.ledger`` / ``keystore`` (the views stay
thin: parse, one read, respond).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from audit import tiles
from workflow import ledger
from workflow.errors import InvalidInputError, NotFoundError
from workflow.extensions import db
from workflow.keystore import get_keystore

bp = Blueprint("log", __name__)

TEXT: Final = "text/plain; charset=utf-8"
BINARY: Final = "application/octet-stream"
# Cache policies (docs/log-http.md). The checkpoint moves about once a second under load
# (ledger.maybe_checkpoint), so 5 s keeps a CDN useful without hiding new entries for long.
CHECKPOINT_CACHE: Final = "public, max-age=5"
# A new key appears only on rotation; a short lifetime bounds how long a cache can pair a new
# checkpoint with the old key.
KEY_CACHE: Final = "public, max-age=300"
IMMUTABLE_CACHE: Final = "public, max-age=31536000, immutable"
# Same bytes forever, but the full tile replaces a partial one and C2SP lets servers drop partials.
PARTIAL_CACHE: Final = "public, max-age=60"
# A 404 for a tile just past the checkpoint turns into a 200 at the next checkpoint: never cache it.
ERROR_CACHE: Final = "no-store"

MAX_TREE_SIZE: Final = 2**63 - 1  # log sizes are SQL BIGINT
_DECIMAL: Final = re.compile(r"0|[1-9][0-9]{0,18}")  # at most 19 digits: int() never sees a huge string


# --- query strings -------------------------------------------------------------------------------


class InvalidQueryError(InvalidInputError):
    """A proof request's query string is missing, malformed or outside the signed tree."""

    status = 400

    def __init__(self, messages: Mapping[str, Any]) -> None:
        super().__init__("The query string is not valid; see errors.query.")
        # Nested under "query" like flask-smorest, so a client knows where the field lives (C6).
        self.errors = {"query": {str(k): _as_list(v) for k, v in messages.items()}}  # type: ignore[dict-item]


def _as_list(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


class TreeNumber(fields.Integer):
    """A tree size or leaf index: plain decimal digits only (no sign, spaces or leading zeros).

    One spelling per number keeps the URL space canonical for caches, and the length cap means
    ``int()`` never parses an attacker's 10,000-digit string.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> int:
        if not isinstance(value, str) or not _DECIMAL.fullmatch(value):
            raise self.make_error("invalid")
        return int(value)


def _number(name: str, what: str, minimum: int) -> TreeNumber:
    return TreeNumber(
        required=True,
        data_key=name,
        validate=validate.Range(
            min=minimum, max=MAX_TREE_SIZE, error=f"{name} must be from {{min}} to {{max}}."
        ),
        error_messages={
            "required": f"Give {name}, {what}.",
            "invalid": f"{name} must be a whole number written in digits, e.g. {name}=42.",
        },
    )


class _QuerySchema(Schema):
    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "This parameter is not supported."}  # noqa: RUF012 - marshmallow's API


class InclusionQuerySchema(_QuerySchema):
    index = _number("index", "the position of the entry (0 for the first)", 0)
    size = _number("size", "the tree size of a checkpoint you hold", 1)

    @validates_schema
    def _index_in_tree(self, data: dict[str, int], **kwargs: Any) -> None:
        if data["index"] >= data["size"]:
            raise ValidationError({"index": [f"index must be below size ({data['size']})."]})


class ConsistencyQuerySchema(_QuerySchema):
    # From 0 is refused: every tree extends the empty one, so such a proof proves nothing.
    first = _number("from", "the tree size of the older checkpoint", 1)
    second = _number("to", "the tree size of the newer checkpoint", 1)

    @validates_schema
    def _ordered(self, data: dict[str, int], **kwargs: Any) -> None:
        if data["first"] > data["second"]:
            raise ValidationError({"from": ["from must not be larger than to."]})


def _load_query(schema: Schema) -> dict[str, int]:
    try:
        return dict(schema.load(request.args.to_dict()))
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, Mapping) else {"_query": exc.messages}
        raise InvalidQueryError(messages) from None


def _within_checkpoint(name: str, size: int) -> None:
    """Refuse a size beyond the latest checkpoint: clients only learn sizes from checkpoints."""
    signed = _signed_size()
    if signed is None or size > signed:
        covered = "the log has no checkpoint yet" if signed is None else f"the latest checkpoint has size {signed}"
        raise InvalidQueryError({name: [f"{name} is beyond the signed log: {covered}."]})


# --- reads (the ledger has no "as of the latest checkpoint" view, so they live here) -------------


def _signed_size() -> int | None:
    latest = ledger.latest_checkpoint(db.session)
    return None if latest is None else latest.size


def _servable(tile: tiles.Tile, path: str) -> None:
    signed = _signed_size()
    if signed is None or not tile.fits(signed):
        raise NotFoundError(f"{path} is not covered by the latest checkpoint.")


def _parse(parse: Callable[[str], tiles.Tile], path: str) -> tiles.Tile:
    try:
        return parse(path)
    except ValueError:  # TileError, or a number too long to convert
        raise NotFoundError(f"{path[:100]} is not a tile path (see c2sp.org/tlog-tiles).") from None


def _b64(hashes: Sequence[bytes]) -> list[str]:
    return [base64.b64encode(h).decode("ascii") for h in hashes]


# --- responses -----------------------------------------------------------------------------------


def _cacheable(body: bytes | str, mimetype: str, cache: str) -> Response:
    """A public response with an ETag, answered with 304 when the client's copy is current."""
    response = Response(body, content_type=mimetype)
    response.headers["Cache-Control"] = cache
    # Public, credential-free data: browser-based verifiers on other origins may read it.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.add_etag()
    return response.make_conditional(request)


def _json(payload: Mapping[str, Any]) -> Response:
    # Proofs for a signed size never change, so they are as cacheable as full tiles.
    return _cacheable(json.dumps(payload, separators=(",", ":")), "application/json", IMMUTABLE_CACHE)


@bp.errorhandler(NotFoundError)
def _not_found(exc: NotFoundError) -> ResponseReturnValue:
    # Tile clients are programs, as with a static tile bucket: a one-line text 404, not the HTML
    # page, whose language-switch form would hand every cookieless fetcher a session cookie.
    return Response(f"{exc}\n", status=404, content_type=TEXT)


@bp.after_request
def _errors_are_not_cached(response: Response) -> Response:
    if response.status_code >= 400:
        response.headers["Cache-Control"] = ERROR_CACHE
    return response


# --- routes --------------------------------------------------------------------------------------


@bp.get("/log/checkpoint")
def checkpoint() -> ResponseReturnValue:
    """The latest signed checkpoint (C2SP tlog-checkpoint signed note)."""
    latest = ledger.latest_checkpoint(db.session)
    if latest is None:
        raise NotFoundError("The log has no checkpoint yet.")
    return _cacheable(latest.note, TEXT, CHECKPOINT_CACHE)


@bp.get("/log/key")
def key() -> ResponseReturnValue:
    """The log's verifier key (note vkey ``name+keyid+base64``), one line."""
    return _cacheable(get_keystore().log_vkey() + "\n", TEXT, KEY_CACHE)


@bp.get("/log/tile/entries/<path:rest>")
def entry_bundle(rest: str) -> ResponseReturnValue:
    """Up to 256 leaves, each a big-endian uint16 length then the leaf bytes exactly as hashed."""
    path = f"tile/entries/{rest}"
    tile = _parse(tiles.parse_entries_path, path)
    _servable(tile, path)
    start = tile.index * tiles.TILE_WIDTH
    body = tiles.encode_entry_bundle(ledger.read_leaves(db.session, start, start + tile.width))
    return _cacheable(body, BINARY, PARTIAL_CACHE if tile.is_partial else IMMUTABLE_CACHE)


@bp.get("/log/tile/<path:rest>")
def hash_tile(rest: str) -> ResponseReturnValue:
    """A tile of up to 256 stored hashes of Merkle level 8·L, concatenated."""
    path = f"tile/{rest}"
    tile = _parse(tiles.parse_tile_path, path)
    _servable(tile, path)
    body = tiles.tile_data(tile, ledger.SqlHashReader(db.session))
    return _cacheable(body, BINARY, PARTIAL_CACHE if tile.is_partial else IMMUTABLE_CACHE)


@bp.get("/api/v1/log/proof/inclusion")
def inclusion_proof() -> ResponseReturnValue:
    """RFC 9162 inclusion proof of entry ``index`` in the tree of ``size`` entries."""
    query = _load_query(InclusionQuerySchema())
    _within_checkpoint("size", query["size"])
    proof = ledger.inclusion_proof(db.session, query["index"], query["size"])
    return _json({"index": query["index"], "size": query["size"], "proof": _b64(proof)})


@bp.get("/api/v1/log/proof/consistency")
def consistency_proof() -> ResponseReturnValue:
    """RFC 9162 consistency proof from the tree of ``from`` entries to that of ``to``."""
    query = _load_query(ConsistencyQuerySchema())
    _within_checkpoint("to", query["second"])
    proof = ledger.consistency_proof(db.session, query["first"], query["second"])
    return _json({"from": query["first"], "to": query["second"], "proof": _b64(proof)})
