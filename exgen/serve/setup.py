"""Setting a server up for one class set: its key, store, links and settings."""

from __future__ import annotations

from pathlib import Path

from exgen.errors import InputFileError
from exgen.grading.key import load_key
from exgen.serve.app import ServeState
from exgen.serve.links import INSTRUCTOR, Link, Signer, links_csv, load_secret
from exgen.serve.pages import Settings
from exgen.serve.store import open_store


def open_set(folder: Path, db: str | None, settings: Settings, workers: int, templates: str | None = None,
             language: str | None = None) -> ServeState:
    """The state of a server for the class set in ``folder`` (written by exgen generate)."""
    key_path = folder / "key.json"
    if not key_path.exists():
        raise InputFileError(f"{folder} holds no key.json: serve a folder written by exgen generate")
    key = load_key(key_path, language)
    return ServeState(folder, key, open_store(db, folder), Signer(load_secret(folder)), settings, workers, templates)


def links(state: ServeState, base_url: str) -> list[Link]:
    """One personal link per version (and so per student of the roster), in key order."""
    base = base_url.rstrip("/")
    return [
        Link(version.student_id or "", version.student_name, version.version, f"{base}/s/{state.signer.token(version.version)}")
        for version in state.key.versions.values()
    ]


def instructor_url(state: ServeState, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/i/{state.signer.token(INSTRUCTOR)}"


def write_links(state: ServeState, base_url: str) -> Path:
    """``links.csv`` in the set's folder (the same links on every run: the secret is kept)."""
    path = state.folder / "links.csv"
    path.write_text(links_csv(links(state, base_url)), encoding="utf-8", newline="\n")
    return path


def origin_of(url: str) -> str:
    """``https://calc.example.edu/course/`` → ``https://calc.example.edu``."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
