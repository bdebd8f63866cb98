"""Personal links: an unguessable token per version (and one for the instructor), signed with
a secret kept in the set's folder, so re-running the server keeps every link and no password
has to be handed out."""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from exgen.spreadsheet import spreadsheet_cell

SECRET_FILE = ".exgen-serve-secret"
INSTRUCTOR = "instructor"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_secret(folder: Path) -> bytes:
    """The set's signing secret, created (readable by its owner only) on first use."""
    path = folder / SECRET_FILE
    try:
        secret = path.read_bytes().strip()
        if len(secret) >= 32:
            return secret
    except FileNotFoundError:
        pass
    secret = secrets.token_hex(32).encode("ascii")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(secret)
    return secret


@dataclass(frozen=True)
class Signer:
    secret: bytes

    def _mac(self, purpose: str, subject: str) -> bytes:
        return hmac.new(self.secret, f"exgen/{purpose}/{subject}".encode(), hashlib.sha256).digest()

    def token(self, subject: str) -> str:
        """``subject.signature``: the subject is a version id or ``instructor``."""
        return f"{_b64(subject.encode())}.{_b64(self._mac('link', subject)[:18])}"

    def subject(self, token: str) -> str | None:
        """The subject a token was made for, or None for a forged or garbled token."""
        if len(token) > 200 or token.count(".") != 1:
            return None
        encoded, signature = token.split(".")
        try:
            subject = _unb64(encoded).decode("utf-8")
            given = _unb64(signature)
        except (ValueError, UnicodeDecodeError):
            return None
        return subject if hmac.compare_digest(given, self._mac("link", subject)[:18]) else None

    def form_token(self, token: str) -> str:
        """The anti-forgery value a page's forms carry: only a page served to the link's
        holder contains it."""
        return _b64(self._mac("form", token)[:18])

    def form_token_ok(self, token: str, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(str(given).encode(), self.form_token(token).encode())


@dataclass(frozen=True)
class Link:
    student: str
    name: str
    version: str
    url: str


def links_csv(links: Iterable[Link]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "name", "version", "url"])
    for link in links:
        writer.writerow([spreadsheet_cell(link.student), spreadsheet_cell(link.name), link.version, link.url])
    return buffer.getvalue()
