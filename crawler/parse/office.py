"""Legacy office containers (DOC, WPS, RTF, ODT): convert to DOCX with headless LibreOffice, then read that.

LibreOffice runs with its own throw-away profile directory (parallel conversions must not share
one: the second instance would hand its job to the first and exit), a timeout, and no network use.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from crawler.parse.model import Document, ParseError, UnsupportedDocument

CONVERT_TIMEOUT = 60.0

# LibreOffice picks the import filter from the file's extension and content.
SUFFIXES = {"doc": "doc", "wps": "wps", "rtf": "rtf", "odt": "odt", "docx": "docx", "html": "html"}


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(data: bytes, suffix: str, target: str, *, timeout: float = CONVERT_TIMEOUT) -> bytes:
    """Convert `data` (a file ending in `suffix`) to `target` ("docx", "pdf", "doc"...) with LibreOffice.

    Raises UnsupportedDocument when LibreOffice is not installed, ParseError when the conversion fails.
    """
    soffice = soffice_path()
    if soffice is None:
        raise UnsupportedDocument(f"{suffix.upper()} needs LibreOffice (soffice) to convert")
    with tempfile.TemporaryDirectory(prefix="nianbao-office-") as tmp:
        src = os.path.join(tmp, f"input.{suffix}")
        with open(src, "wb") as fh:
            fh.write(data)
        profile = os.path.join(tmp, "profile")
        outdir = os.path.join(tmp, "out")
        cmd = [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            target,
            "--outdir",
            outdir,
            src,
        ]
        # Keep proxies away from LibreOffice: a conversion never needs the network.
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        env["HOME"] = tmp
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env, check=False)
        except subprocess.TimeoutExpired:
            raise ParseError(
                f"LibreOffice did not convert the {suffix.upper()} within {timeout:.0f} s"
            ) from None
        out = os.path.join(outdir, f"input.{target.split(':')[0]}")
        if proc.returncode != 0 or not os.path.exists(out) or os.path.getsize(out) == 0:
            detail = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip().splitlines()
            why = detail[-1] if detail else f"exit status {proc.returncode}"
            raise ParseError(f"LibreOffice could not convert the {suffix.upper()}: {why}")
        with open(out, "rb") as fh:
            return fh.read()


def read_office(data: bytes, source: str, container: str) -> Document:
    """DOC/WPS/RTF/ODT -> DOCX (LibreOffice) -> Document, keeping the original container's name."""
    from crawler.parse.docx import read_docx

    suffix = SUFFIXES.get(container, container)
    docx_bytes = convert(data, suffix, "docx")
    try:
        doc = read_docx(docx_bytes, source)
    except ParseError as exc:
        raise ParseError(f"corrupt {container.upper()}: {exc}") from None
    doc.container = container
    return doc
