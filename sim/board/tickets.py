"""Tickets and signed links: HMAC-SHA256 with the board's secret (kept in the store, shared by every server process).

A ticket is `BODY.SIGNATURE`, both base64url: BODY is the JSON of who may submit (room, ticket id, name,
case, seed, issue time), SIGNATURE the HMAC of BODY. Anyone can read a ticket; nobody without the secret
can make or change one. The store keeps every ticket it issued as well, so a ticket also has to be one
the store knows (a room deleted, a board file replaced: its tickets stop working).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets

from sim.board.store import Ticket, whole_number

MAX_TICKET_CHARS = 1024


class TicketError(ValueError):
    """A ticket that is not this board's; str(err) is one sentence for the learner."""


def new_secret() -> str:
    return secrets.token_hex(32)


def new_ticket_id() -> str:
    return secrets.token_hex(12)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode("ascii"), message, hashlib.sha256).digest()


def sign(ticket: Ticket, secret: str) -> str:
    body = json.dumps({"room": ticket.room, "id": ticket.id, "name": ticket.name, "case": ticket.case,
                       "seed": ticket.seed, "issued_at": ticket.issued_at}, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")
    return f"{_b64(body)}.{_b64(_mac(secret, body))}"


def read(token, secret: str) -> Ticket:
    """The ticket a signed token stands for; raises TicketError when it is not one this board signed."""
    if token is None or token == "":
        raise TicketError("the result has no ticket; a workshop result needs the ticket the server gave when the "
                          "game started (`mlsim play CASE --workshop URL --name NAME` fetches it)")
    if not isinstance(token, str) or len(token) > MAX_TICKET_CHARS or token.count(".") != 1:
        raise TicketError("the ticket is not one this workshop issued (it is not a ticket at all)")
    body_text, mac_text = token.split(".")
    try:
        body, mac = _unb64(body_text), _unb64(mac_text)
    except (ValueError, TypeError):
        raise TicketError("the ticket is not one this workshop issued (it is not a ticket at all)") from None
    if not hmac.compare_digest(mac, _mac(secret, body)):
        raise TicketError("the ticket is not one this workshop issued (its signature does not match)")
    claims = json.loads(body)  # signed by us: well-formed by construction
    return Ticket(claims["id"], claims["room"], claims["name"], claims["case"], int(claims["seed"]),
                  float(claims["issued_at"]))


def sign_link(secret: str, purpose: str, expires: int) -> str:
    """The signature of a short-lived link (the CSV a browser opens): valid for `purpose` until `expires`."""
    return _b64(_mac(secret, f"{purpose}|{expires}".encode("utf-8")))


def link_is_valid(secret: str, purpose: str, expires: str, signature: str, now: float) -> bool:
    at = whole_number(expires, 12)
    if at is None or at < now or expires != str(at):  # one spelling per link: no leading zeros
        return False
    return hmac.compare_digest(signature.encode("ascii", "replace"), sign_link(secret, purpose, at).encode())
