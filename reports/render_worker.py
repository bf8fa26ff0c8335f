"""A report renderer run as its own process: ``python -m reports.render_worker``.

``reports.pdf`` keeps one per core and reuses them from one ZIP to the next (:class:`reports.pdf.RenderPool`).
A plain process of its own, not ``multiprocessing``: under ``streamlit run`` the main module is the app
script, which a multiprocessing child would run again.

On start it warms up once (imports, fonts, vl-convert's engine with a first layout), then writes one byte
to say it is ready. Then, one job at a time: a job is 8 bytes of length (big-endian) and a pickled
``reports.content.ReportContent`` or ``reports.pdf.TeamReportJob`` (a team report whose content this
process builds); the answer is 8 bytes of length and a pickled ``("ok", pdf bytes)`` or
``("error", traceback text)``. It exits at the end of its input (the parent has gone or closed it) or when
no job came for :data:`IDLE_SECONDS`, so idle renderers do not hold their memory for ever.
"""

from __future__ import annotations

import os
import pickle
import select
import sys
import traceback

#: An idle renderer exits after this many seconds without a job (the parent starts a new one when needed).
IDLE_SECONDS = 600.0


def warm_up() -> None:
    """Import the renderer, register the fonts and lay out a first chart (vl-convert starts its engine)."""
    from reports import charts, pdf

    pdf.register_fonts()
    charts.render_scenegraph({"data": {"values": [{"a": 1}]}, "mark": "point", "encoding": {}})


def _read(fd: int, size: int) -> bytes | None:
    """Exactly ``size`` bytes from the file descriptor (unbuffered, so ``select`` sees what is left), or None
    at the end of the input."""
    parts: list[bytes] = []
    while size:
        part = os.read(fd, min(size, 1 << 20))
        if not part:
            return None
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def main() -> None:
    """Warm up, say so, then render each job read from stdin and write its answer to stdout."""
    from reports.pdf import render_job

    source, out = sys.stdin.fileno(), sys.stdout.buffer
    warm_up()
    out.write(b"R")
    out.flush()
    while True:
        ready, _, _ = select.select([source], [], [], IDLE_SECONDS)
        if not ready:
            return
        header = _read(source, 8)
        if header is None:
            return
        payload = _read(source, int.from_bytes(header, "big"))
        if payload is None:
            return
        try:
            answer: tuple[str, object] = ("ok", render_job(pickle.loads(payload)))
        except Exception:  # the parent raises it with the worker's traceback
            answer = ("error", traceback.format_exc())
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(len(data).to_bytes(8, "big"))
        out.write(data)
        out.flush()


if __name__ == "__main__":
    main()
