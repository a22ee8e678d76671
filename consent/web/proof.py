"""Proof of consent: the chain check for auditors, the signature check for anyone.

A visitor (or a regulator they hand it to) proves a receipt with the
receipt_id and signature from the 201 response or their record download. The
check is public and says only valid or invalid: the signature is an HMAC under
the service's key, so guessing one is hopeless and an answer teaches nothing.
An audit token also gets the reason.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..ledger import chain
from ..ledger.proof import check_receipt
from .auth import bearer, current_credential, require_scope
from .context import get_keys, get_store
from .errors import ApiError
from .schemas import ChainQuerySchema, ReceiptIdSchema, SignatureCheckSchema
from .visit import json_body

bp = Blueprint("proof", __name__, url_prefix="/api/v1")

_chain_query = ChainQuerySchema()
_receipt_id = ReceiptIdSchema()
_signature = SignatureCheckSchema()


@bp.get("/receipts/verify")
@require_scope("audit")
def verify_chain():
    """Walk the whole chain: OK with counts, or the first broken row and why.

    :raise 401/403: without an audit token. :raise 422: malformed anchor or unknown parameter.
    """
    query = _chain_query.load(request.args)
    report = chain.verify(get_store(), get_keys(), query.get("anchor"))
    return _no_store(jsonify(report.as_dict()))


@bp.post("/receipts/<receipt_id>/verify-signature")
def verify_signature(receipt_id: str):
    """``{"signature": "..."}`` -> ``{"receipt_id", "valid"}`` (and ``reason`` for auditors).

    :raise 400: bad JSON. :raise 401: a bearer token that is not valid.
    :raise 415: not JSON or text/plain. :raise 422: malformed id or signature.
    """
    receipt_id = _receipt_id.load({"receipt_id": receipt_id})["receipt_id"]
    signature = _signature.load(json_body())["signature"]
    check = check_receipt(get_store(), get_keys(), receipt_id, signature)
    body = {"receipt_id": receipt_id, "valid": check.valid}
    if _auditor():
        body["reason"] = check.reason
    return _no_store(jsonify(body))


def _auditor() -> bool:
    """Whether an audit token came along; a token that is no token is an error, not anonymous."""
    if bearer() is None:
        return False
    credential = current_credential()
    if credential is None:
        raise ApiError(401, headers={"WWW-Authenticate": 'Bearer realm="consent"'})
    return credential.may("audit")


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response
