"""Cut a notebook's cells into slides that fit 1280×720 (used by build_slides.py).

Heights are estimated from the text at the deck's sizes (tools/deck/deck.css: 24 px text, 17 px code,
16 px printed output, 1240 px of width) and the pictures' pixel sizes. A cell that would push its slide
past ``BUDGET`` starts a new vertical slide; a cell taller than ``BUDGET`` alone is cut: Markdown at its
blank lines (a long table by rows, its header repeated), a code cell's outputs into slides of their own
(a long printout into parts). In the browser, deck.js then grows or shrinks the pictures to the room left.
"""
from __future__ import annotations

import base64
import math
import re
import struct

import nbformat

BUDGET = 600                         # px of the 720 a slide's content may fill (margins, controls)
TEXT_LINE, TEXT_CHARS = 33, 100      # Markdown: px per line, characters per line
CODE_LINE, CODE_CHARS = 22, 118
OUT_LINE, OUT_CHARS = 21, 110
PICTURE_SHRINK = 0.75                # deck.js may shrink a picture; count it at this share of its size


def slide_type(cell) -> str:
    return cell.metadata.get("slideshow", {}).get("slide_type", "-")


def with_type(cell, kind):
    cell.metadata["slideshow"] = {"slide_type": kind}
    return cell


def wrapped(lines, chars) -> int:
    return sum(max(1, math.ceil(len(line) / chars)) for line in lines)


def block_height(block: str) -> int:
    lines = block.splitlines()
    first = lines[0].lstrip()
    if first.startswith("#"):
        rest = "\n".join(lines[1:]).strip()
        heading = {1: 70, 2: 58}.get(len(first) - len(first.lstrip("#")), 48)
        return heading + (block_height(rest) if rest else 0)
    if first.startswith("|"):
        rows = [line for line in lines if not re.match(r"\|\s*-", line)]     # not the |---| line
        return sum(30 * max(1, math.ceil(len(row) / 120)) for row in rows)
    maths = 70 * block.count("$$") // 2
    items = re.split(r"\n(?=\s*(?:[-*]|\d+\.)\s)", block)     # each list item starts a line of its own
    text = sum(wrapped([" ".join(item.split())], TEXT_CHARS) for item in items)
    return 14 + TEXT_LINE * text + maths


def blocks(source: str) -> list[str]:
    """Paragraphs, lists, tables: split at blank lines and before each heading."""
    return [b for b in re.split(r"\n\s*\n|\n(?=#)", source.strip()) if b.strip()]


def png_height(output, shrink=PICTURE_SHRINK) -> int:
    data = base64.b64decode(output["data"]["image/png"])
    width, height = struct.unpack(">II", data[16:24])
    shown = output.get("metadata", {}).get("image/png", {})
    if "width" in shown:             # a picture the notebook shows at another width than its pixels
        height = height * int(shown["width"]) / width
        width = int(shown["width"])
    return int(min(height, height * 1240 / width) * shrink)


def output_height(output) -> int:
    data = output.get("data", {})
    if "image/png" in data:
        return png_height(output)
    if output.get("output_type") == "stream":
        return 8 + OUT_LINE * wrapped(output["text"].splitlines(), OUT_CHARS)
    if "text/html" in data:
        return 8 + 28 * max(1, data["text/html"].count("<tr"))
    if "text/plain" in data:
        return 8 + OUT_LINE * wrapped(data["text/plain"].splitlines(), OUT_CHARS)
    return 0


def source_shown(cell) -> bool:
    return cell.cell_type == "code" and bool(cell.source.strip()) and \
        not cell.metadata.get("transient", {}).get("remove_source")


def height(cell) -> int:
    if cell.cell_type == "markdown":
        return sum(block_height(b) for b in blocks(cell.source))
    code = 16 + CODE_LINE * wrapped(cell.source.splitlines(), CODE_CHARS) if source_shown(cell) else 0
    return code + sum(output_height(o) for o in cell.get("outputs", []))


def crowds_its_picture(cell) -> bool:
    """Whether a code cell's source and its pictures, at their own size, are more than one slide holds:
    on slides the picture is what the room sees, so the cell shows its output only."""
    pictures = [png_height(o, shrink=1) for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
    code = 16 + CODE_LINE * wrapped(cell.source.splitlines(), CODE_CHARS)
    return bool(pictures) and code + sum(pictures) > BUDGET


def cut_markdown(cell) -> list:
    """Markdown cut at blank lines into parts of at most BUDGET (a long table by rows, header repeated)."""
    pieces = []
    for block in blocks(cell.source):
        lines = block.splitlines()
        if lines[0].lstrip().startswith("|") and block_height(block) > BUDGET and len(lines) > 3:
            head, rows = lines[:2], lines[2:]
            part = []
            for row in rows:
                if part and block_height("\n".join(head + part + [row])) > BUDGET:
                    pieces.append("\n".join(head + part))
                    part = []
                part.append(row)
            pieces.append("\n".join(head + part))
        else:
            pieces.append(block)
    parts, current = [], []
    for piece in pieces:
        if current and sum(map(block_height, current + [piece])) > BUDGET:
            parts.append(current)
            current = []
        current.append(piece)
    parts.append(current)
    kinds = [slide_type(cell)] + ["subslide"] * (len(parts) - 1)
    return [with_type(nbformat.v4.new_markdown_cell("\n\n".join(p)), kind) for p, kind in zip(parts, kinds)]


def output_only(cell, outputs, kind):
    part = nbformat.v4.new_code_cell(cell.source, outputs=outputs, execution_count=cell.execution_count)
    part.metadata["transient"] = {"remove_source": True}
    return with_type(part, kind)


def cut_code(cell) -> list:
    """The cell with as many outputs as fit, then its other outputs on slides of their own."""
    outputs = []
    for output in cell.get("outputs", []):
        lines = output["text"].splitlines(keepends=True) if output.get("output_type") == "stream" else []
        if output_height(output) > BUDGET and lines:     # a long printout: parts of at most BUDGET
            part = []
            for line in lines:
                if part and 8 + OUT_LINE * wrapped([*part, line], OUT_CHARS) > BUDGET:
                    outputs.append(nbformat.v4.new_output("stream", name=output["name"], text="".join(part)))
                    part = []
                part.append(line)
            outputs.append(nbformat.v4.new_output("stream", name=output["name"], text="".join(part)))
        else:
            outputs.append(output)
    first = nbformat.from_dict(cell)
    first.outputs = []
    parts, room = [first], BUDGET - height(first)
    for output in outputs:
        if parts[-1].outputs and output_height(output) > room:
            parts.append(output_only(cell, [], "subslide"))
            room = BUDGET
        parts[-1].outputs.append(output)
        room -= output_height(output)
    return parts


def fitted(cells: list) -> list:
    """The cells, cut where needed and with a new vertical slide wherever the running height passes BUDGET."""
    out, used = [], 0
    for cell in cells:
        parts = cut_markdown(cell) if cell.cell_type == "markdown" else cut_code(cell)
        for part in parts:
            h = height(part)
            if slide_type(part) in ("slide", "subslide"):
                used = 0
            elif used and used + h > BUDGET:
                with_type(part, "subslide")
                used = 0
            used += h
            out.append(part)
    return out
