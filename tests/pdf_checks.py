"""What a PDF says about itself, read with poppler-utils (pdfinfo, pdftotext) like a person's
tools would, plus the document language from the catalogue (/Lang), which pdfinfo omits."""

from __future__ import annotations

import re
import subprocess
import zlib
from pathlib import Path


def pdfinfo(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "checked.pdf"
    path.write_bytes(pdf)
    output = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return {
        key.strip(): value.strip()
        for key, _, value in (line.partition(":") for line in output.splitlines())
    }


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_structure(pdf: bytes, tmp_path: Path) -> str:
    """The tag tree (Document, H1, P, L, Table...) as pdfinfo -struct prints it."""
    path = tmp_path / "struct.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdfinfo", "-struct", str(path)], capture_output=True, text=True, check=True
    ).stdout


def pdf_languages(pdf: bytes) -> set[str]:
    """Every /Lang entry, in plain objects and in compressed object streams."""
    found = set(re.findall(rb"/Lang\s*\(([^)]*)\)", pdf))
    for match in re.finditer(rb"stream\r?\n", pdf):
        end = pdf.find(b"endstream", match.end())
        try:
            found |= set(
                re.findall(rb"/Lang\s*\(([^)]*)\)", zlib.decompress(pdf[match.end() : end]))
            )
        except zlib.error:
            continue
    return {value.decode() for value in found}
