"""Write the sample portfolio (docs/sample-portfolio.<ext>) from the invented one in
bot.portfolio.sample, in every format that can be rendered, and the first pages of the PDF
as PNG images for the README (needs pdftoppm, from Debian's poppler-utils).

    python docs/make_sample.py            # every format
    python docs/make_sample.py pdf docx   # only these

A format whose module is not there yet (or whose library is not installed) is skipped.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

from bot.portfolio import FORMATS, render  # noqa: E402
from bot.portfolio.sample import sample_portfolio  # noqa: E402

PNG_PAGES = (1, 2, 4)  # the cover, the coverage summary, the first reflections
PNG_DPI = 100


def main(keys: list[str]) -> int:
    unknown = [key for key in keys if key not in FORMATS]
    if unknown:
        print(f"unknown format {', '.join(unknown)}; known: {', '.join(FORMATS)}")
        return 2
    portfolio = sample_portfolio()
    for key in keys or list(FORMATS):
        target = DOCS / f"sample-portfolio.{FORMATS[key].extension}"
        try:
            data = render(portfolio, key)
        except ImportError as exc:
            print(f"skipped {key}: {exc}")
            continue
        target.write_bytes(data)
        print(f"wrote {target.relative_to(DOCS.parent)} ({len(data):,} bytes)")
        if key == "pdf":
            write_page_images(target)
    return 0


def write_page_images(pdf: Path) -> None:
    """docs/sample-portfolio-page-N.png for each of PNG_PAGES, in 64 colours to keep the
    files small."""
    if shutil.which("pdftoppm") is None:
        print("skipped the page images: pdftoppm not found (apt-get install poppler-utils)")
        return
    from PIL import Image

    with tempfile.TemporaryDirectory() as scratch:
        for page in PNG_PAGES:
            prefix = Path(scratch) / f"page-{page}"
            subprocess.run(
                ["pdftoppm", "-png", "-r", str(PNG_DPI), "-f", str(page), "-l", str(page),
                 "-singlefile", str(pdf), str(prefix)],
                check=True,
            )  # fmt: skip
            image = Image.open(prefix.with_suffix(".png")).convert("RGB")
            small = image.quantize(colors=64, method=Image.Quantize.MEDIANCUT)
            target = DOCS / f"sample-portfolio-page-{page}.png"
            buffer = io.BytesIO()
            small.save(buffer, format="PNG", optimize=True)
            target.write_bytes(buffer.getvalue())
            print(f"wrote {target.relative_to(DOCS.parent)} ({buffer.tell():,} bytes)")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
