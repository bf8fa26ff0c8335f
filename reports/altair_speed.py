"""Altair builds a lookup table of every schema class each time it turns a dict into a channel object.

``alt.Chart().encode(x="value:Q")`` wraps each shorthand with ``from_dict``, and Altair 6's ``from_dict``
starts by hashing the JSON schema of every one of its ~570 schema classes (``_FromDict.__init__``: a
``json.dumps`` per class) to build a table that is the same every time. A team report's charts did that
about 17 times, some 10,000 ``json.dumps`` calls. :func:`install` makes the table once per set of classes
and reuses it; the objects built, and so every spec and chart, are unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from altair.utils import schemapi

_lock = threading.Lock()
_tables: dict[tuple[type, ...], Any] = {}
_original_init = schemapi._FromDict.__init__


def _init(self: Any, wrapper_classes: Iterable[type], /) -> None:
    """``_FromDict.__init__`` with its class table built once per set of wrapper classes."""
    classes = tuple(wrapper_classes)
    with _lock:
        table = _tables.get(classes)
    if table is None:
        _original_init(self, classes)
        with _lock:
            _tables[classes] = self.class_dict
    else:
        self.class_dict = table


def install() -> None:
    """Reuse ``_FromDict``'s class table (idempotent)."""
    schemapi._FromDict.__init__ = _init  # type: ignore[method-assign]


install()
