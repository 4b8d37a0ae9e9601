"""Parser throughput and memory, against the bare libraries underneath.

    python benchmarks/parse_bench.py [--html 200] [--docx 100] [--pdf 50] [--memory 100,500,1000]

Generates a corpus with crawler.sample_reports (both formats, every HTML style, DOCX, reportlab PDFs),
then prints documents/second per container for `crawler.parse.parse_bytes` next to what lxml alone
(`lxml.html.fromstring`) and pdfplumber alone (`page.extract_text()` over every page) take on the same
bytes, as ratios (goals: HTML <= 3x, PDF <= 1.5x). Finally parses a mixed stream of documents and
prints peak RSS after each step count, to show memory stays flat.
"""

from __future__ import annotations

import argparse
import gc
import io
import itertools
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler import sample_reports as sr  # noqa: E402
from crawler.parse import parse_bytes, read_document  # noqa: E402


def corpus(n_html: int, n_docx: int, n_pdf: int) -> dict[str, list[bytes]]:
    def report(i: int) -> dict:
        return sr.consistent_cells("2019" if i % 3 == 0 else "2021", i)

    html = [
        sr.render_html(
            report(i),
            style=sr.STYLES[i % len(sr.STYLES)],
            word=i % 2 == 0,
            encoding="gbk" if i % 7 == 0 else "utf-8",
            agency=f"第{i}县人民政府办公室",
        )
        for i in range(n_html)
    ]
    docx = [sr.render_docx(report(i)) for i in range(n_docx)]
    pdf = [sr.render_pdf(report(i), engine="reportlab") for i in range(n_pdf)]
    return {"html": html, "docx": docx, "pdf": pdf}


def timed(fn, items) -> float:
    start = time.perf_counter()
    for item in items:
        fn(item)
    return time.perf_counter() - start


def bare_lxml(data: bytes) -> None:
    import lxml.html

    lxml.html.fromstring(data)


def bare_pdfplumber(data: bytes) -> None:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()


def check(data: bytes, name: str) -> None:
    out = parse_bytes(data, name)
    if "error" in out:
        raise SystemExit(f"{name}: {out['error']}")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--html", type=int, default=200)
    ap.add_argument("--docx", type=int, default=100)
    ap.add_argument("--pdf", type=int, default=50)
    ap.add_argument("--memory", default="100,500,1000", help="document counts at which to print peak RSS")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    docs = corpus(args.html, args.docx, args.pdf)
    print(
        f"corpus: {args.html} HTML, {args.docx} DOCX, {args.pdf} PDF generated in {time.perf_counter() - t0:.1f} s"
    )
    for data in itertools.islice(itertools.chain(*docs.values()), 3):
        check(data, "warmup")  # imports and first-use costs out of the timings

    print(
        f"{'container':<10}{'docs':>6}{'parse_bytes docs/s':>20}{'read_document':>15}{'bare docs/s':>14}"
        f"{'ratio':>8}{'ratio(read)':>13}  goal"
    )
    baselines = {
        "html": (bare_lxml, "lxml.html.fromstring", 3.0),
        "pdf": (bare_pdfplumber, "pdfplumber extract_text", 1.5),
    }
    for name, items in docs.items():
        if not items:
            continue
        ours = timed(lambda d, n=name: check(d, f"x.{n}"), items)
        container_only = timed(lambda d, n=name: read_document(d, f"x.{n}"), items)
        line = f"{name:<10}{len(items):>6}{len(items) / ours:>20.1f}{len(items) / container_only:>15.1f}"
        if name in baselines:
            fn, label, goal = baselines[name]
            bare = timed(fn, items)
            line += f"{len(items) / bare:>14.1f}{ours / bare:>8.2f}{container_only / bare:>13.2f}  <= {goal}x ({label})"
        print(line)

    steps = sorted(int(x) for x in args.memory.split(",") if x.strip())
    # Interleaved, so every step sees every container.
    mixed = [
        x
        for group in itertools.zip_longest(*[[(d, n) for d in items] for n, items in docs.items()])
        for x in group
        if x
    ]
    stream = itertools.cycle(mixed)
    done = 0
    print(f"memory: peak RSS before the stream {peak_rss_mb():.0f} MB")
    for step in steps:
        for data, name in itertools.islice(stream, step - done):
            check(data, f"m.{name}")
        done = step
        gc.collect()
        print(f"memory: peak RSS after {step:>5} documents {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
