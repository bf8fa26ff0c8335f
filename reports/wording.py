"""Small wording helpers shared by the pages, the services and the reports (no heavy imports: the home page
loads this module too)."""

from __future__ import annotations


def plural(count: int, singular: str, plural: str | None = None) -> str:
    """``count`` with the noun in the right number: "1 response", "2 responses", "1 person", "3 people"."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"
