"""Minimal front matter reader for the agentgen role files (standard library only, no PyYAML).

Supports what ROLE_FORMAT.md uses: plain and quoted scalars, `>-`/`>`/`|` block scalars,
`[a, b]` inline lists, `- item` block lists, and ` # comments` after plain values.
"""
from __future__ import annotations

import json
import re
import textwrap


def _unquote(raw: str) -> str:
    """Parse a leading double- or single-quoted YAML scalar."""
    m = re.match(r'"((?:[^"\\]|\\.)*)"', raw) or re.match(r"'((?:[^']|'')*)'", raw)
    if not m:
        raise ValueError(f"unterminated quoted scalar: {raw!r}")
    return json.loads(f'"{m.group(1)}"') if raw[0] == '"' else m.group(1).replace("''", "'")


def parse_scalar(raw: str):
    """Parse a plain, quoted or `[a, b]` inline-list scalar (comments after ` #` are dropped)."""
    raw = raw.strip()
    if raw.startswith("["):
        end = raw.rfind("]")
        if end < 0:
            raise ValueError(f"unclosed inline list: {raw!r}")
        return [parse_scalar(item) for item in raw[1:end].split(",") if item.strip()]
    if raw[:1] in ("'", '"'):
        return _unquote(raw)
    return re.split(r"\s#", raw, maxsplit=1)[0].strip()


def _block_text(lines: list[str], folded: bool) -> str:
    """Join the indented lines of a `>`/`>-` (folded) or `|` (literal) block scalar."""
    text = textwrap.dedent("\n".join(lines)).strip("\n")
    if not folded:
        return text
    return "\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", text))


def parse_front_matter(text: str) -> tuple[dict, str]:
    """Split `---` front matter from the body; return (metadata, body)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    close = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if close is None:
        raise ValueError("front matter is never closed")
    meta: dict = {}
    i = 1
    while i < close:
        line = lines[i]
        if not line.strip() or line.lstrip().startswith("#"):
            i += 1
            continue
        m = re.match(r"^([A-Za-z_][\w-]*):(?:\s+(.*))?$", line)
        if not m:
            raise ValueError(f"front matter line {i + 1}: cannot parse {line!r}")
        key, raw = m.group(1), (m.group(2) or "").strip()
        j = i + 1
        while j < close and (not lines[j].strip() or lines[j][:1] in " \t"):
            j += 1
        block, i = lines[i + 1:j], j
        indicator = parse_scalar(raw) if raw and raw[0] in ">|" else None
        if indicator in (">", ">-", ">+", "|", "|-", "|+"):
            meta[key] = _block_text(block, indicator.startswith(">"))
        elif not raw or raw.startswith("#"):
            items = [ln.strip()[2:] for ln in block if ln.strip().startswith("- ")]
            meta[key] = [parse_scalar(x) for x in items] if items else ""
        else:
            meta[key] = parse_scalar(" ".join([raw] + [ln.strip() for ln in block if ln.strip()]))
    return meta, "\n".join(lines[close + 1:])
