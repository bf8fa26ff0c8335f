"""A report renderer run as its own process: ``python -m reports.render_worker``.

It reads a pickled list of report contents on standard input and writes each one's PDF to standard output as
it is done, as 8 bytes of length (big-endian) then the PDF. ``reports.pdf.team_reports_zip`` starts one per
core for a large ZIP. A plain process of its own, not ``multiprocessing``: under ``streamlit run`` the main
module is the app script, which a multiprocessing child would run again.
"""

from __future__ import annotations

import pickle
import sys


def main() -> None:
    """Render every content read from stdin, writing each PDF to stdout as soon as it is ready."""
    from reports.pdf import render_pdf

    contents = pickle.load(sys.stdin.buffer)
    out = sys.stdout.buffer
    for content in contents:
        document = render_pdf(content)
        out.write(len(document).to_bytes(8, "big"))
        out.write(document)
        out.flush()


if __name__ == "__main__":
    main()
