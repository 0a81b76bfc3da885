"""Just enough PDF reading for tests, without a PDF library: inflate the streams WeasyPrint writes."""

import re
import zlib


def inflated(pdf: bytes) -> bytes:
    """The PDF's own bytes plus every Flate stream inflated (object streams hold the fonts and pages)."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(parts)


def page_count(pdf: bytes) -> int:
    counts = re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", inflated(pdf))
    return int(counts[0]) if counts else 0


def font_names(pdf: bytes) -> set[str]:
    """Embedded fonts without their subset prefix: {"DejaVu-Sans", "DejaVu-Sans-Bold"}."""
    names = re.findall(rb"/BaseFont\s*/(?:[A-Z]{6}\+)?([A-Za-z0-9-]+)", inflated(pdf))
    return {name.decode() for name in names}


def mapped_characters(pdf: bytes) -> set[str]:
    """Characters the embedded fonts' ToUnicode maps can produce: what the PDF's text is made of."""
    characters = set()
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", inflated(pdf), re.S):
        for code in re.findall(rb"<[0-9a-fA-F]+>\s*<([0-9a-fA-F]+)>", block):
            characters.add(bytes.fromhex(code.decode()).decode("utf-16-be", errors="ignore"))
    return characters
