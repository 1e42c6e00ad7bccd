#!/usr/bin/env python3
"""Generate the `devteam` fixture libraries.

    python3 tools/agentgen/generate.py            # write fixtures/agents/<id>/CLAUDE.md
    python3 tools/agentgen/generate.py --check    # exit 1 if fixtures/agents is out of date
    python3 tools/agentgen/generate.py --broken   # write fixtures/broken/ (malformed inputs)
    python3 tools/agentgen/generate.py --broken --check

Each role file (tools/agentgen/roles/<id>.md, see ROLE_FORMAT.md) is combined with the shared
boilerplate sections (tools/agentgen/shared/*.md) and the vocabulary in shared/variants.json into
a CLAUDE.md that looks like part of a real, unoptimised team library: optional front matter,
near-duplicate boilerplate, volatile "Current Focus"/"Recent Changes" sections in the middle,
the role content, and a closing collaboration section.

Everything is derived from a random.Random seeded with the agent id, so the same inputs always
produce byte-identical output. Standard library only (no PyYAML).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import statistics
import sys
import textwrap
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

sys.dont_write_bytecode = True  # keep tools/agentgen free of __pycache__
from frontmatter import parse_front_matter  # noqa: E402  (sibling module)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SHARED = HERE / "shared"
ROLE_KEYS = ("role", "expertise", "workflow", "typical requests", "pitfalls", "deliverables", "example")
REQUIRED = ("name", "description", "tools", "model", "collaborators")
TOKEN_MIN, TOKEN_MAX = 1500, 6000  # target per CLAUDE.md, estimated as chars / 4
GENERIC = {"engineer", "developer", "specialist", "architect", "manager", "expert", "analyst", "advisor",
           "designer", "writer", "administrator", "responder", "master", "tester", "modeler"}
BULLET = re.compile(r"^(?:[-*]|\d+\.)\s+(.*)$")


# --------------------------------------------------------------------------- inputs

@dataclass
class Role:
    id: str
    name: str
    team: str
    description: str
    tools: list
    model: str
    collaborators: list
    intro: str = ""
    sections: list = field(default_factory=list)  # [(canonical key or None, heading, text)]

    def bullets(self, key: str) -> list[str]:
        """Top-level list items of one section, without the list markers."""
        items: list[str] = []
        for k, _, text in self.sections:
            if k != key:
                continue
            in_item = False
            for line in text.split("\n"):
                m = BULLET.match(line)
                if m:
                    items.append(m.group(1).strip())
                elif in_item and line[:1] in (" ", "\t") and line.strip():
                    items[-1] += " " + line.strip()  # wrapped continuation line
                    continue
                in_item = bool(m)
        return items

    @property
    def body_chars(self) -> int:
        return len(self.description) + len(self.intro) + sum(len(t) + 20 for _, _, t in self.sections)


def split_sections(body: str) -> tuple[str, list]:
    """Split a Markdown body on `## ` headings, ignoring headings inside fenced code blocks."""
    preamble, sections, heading, buf, fence = [], [], None, [], None
    for line in body.split("\n"):
        marker = re.match(r"\s*(`{3,}|~{3,})", line)
        if fence:
            if marker and marker.group(1).startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
        elif marker:
            fence = marker.group(1)
        elif line.startswith("## "):
            if heading is not None:
                sections.append((heading, "\n".join(buf).strip("\n")))
            heading, buf = line[3:].strip(), []
            continue
        (buf if heading is not None else preamble).append(line)
    if heading is not None:
        sections.append((heading, "\n".join(buf).strip("\n")))
    intro = "\n".join(ln for ln in preamble if not ln.startswith("# ")).strip()
    return intro, sections


def load_role(path: Path) -> Role:
    """Read one role source file; raises ValueError when it is incomplete."""
    meta, body = parse_front_matter(path.read_text(encoding="utf-8").replace("\r\n", "\n"))
    missing = [k for k in REQUIRED if not meta.get(k)]
    if missing:
        raise ValueError(f"missing front matter keys: {', '.join(missing)}")
    if meta.get("id", path.stem) != path.stem:
        print(f"warning: {path.name}: id {meta['id']!r} differs from file name", file=sys.stderr)
    intro, raw_sections = split_sections(body)
    if not raw_sections:
        raise ValueError("body has no `## ` sections")
    sections = [(h.lower() if h.lower() in ROLE_KEYS else None, h, t) for h, t in raw_sections]
    as_list = lambda v: v if isinstance(v, list) else [x.strip() for x in str(v).split(",") if x.strip()]
    return Role(id=path.stem, name=meta["name"], team=meta.get("team", ""),
                description=" ".join(str(meta["description"]).split()), tools=as_list(meta["tools"]),
                model=str(meta["model"]), collaborators=as_list(meta["collaborators"]),
                intro=intro, sections=sections)


def load_scopes() -> dict[str, str]:
    """Map role id -> scope text from roles.tsv (used for collaboration reasons)."""
    scopes = {}
    for line in (HERE / "roles.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) >= 3:
            scopes[cols[0]] = cols[2]
    return scopes


def load_shared() -> list[tuple[str, str]]:
    """Shared boilerplate sections as (title, body), in file-name order."""
    out = []
    for path in sorted(SHARED.glob("*.md")):
        first, _, rest = path.read_text(encoding="utf-8").partition("\n")
        out.append((first.lstrip("#").strip(), rest.strip("\n")))
    return out


# --------------------------------------------------------------------------- rendering helpers

def rng_for(key: str) -> random.Random:
    """A random generator seeded from a stable hash of `key` (independent of PYTHONHASHSEED)."""
    return random.Random(int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big"))


def short_topic(text: str, words: int = 8) -> str:
    """A short phrase from a bullet or request (first clause, outside code spans) for change logs."""
    text = re.sub(r"\*\*|__", "", text).strip().strip("\"'")
    cut = []
    for part in re.split(r"(`[^`]*`)", text):
        if part.startswith("`"):
            cut.append(part.strip("`"))
            continue
        head = re.split(r"[:;,]\s|\s?\(|\.\s| - | -- ", part)
        cut.append(head[0])
        if len(head) > 1:
            break
    tokens = "".join(cut).split()
    phrase = " ".join(tokens[:words]).rstrip(",.;:")
    if len(tokens) > words:
        phrase += "..."
    first = phrase.split(" ", 2)
    if first[0][1:].islower() and (len(first) == 1 or first[1][:1].islower()):
        phrase = phrase[0].lower() + phrase[1:]
    return phrase


def yaml_string(value: str, rng: random.Random) -> str:
    """Render a string as a plain, double-quoted or `>-` folded YAML scalar (always valid YAML)."""
    plain_ok = not re.search(r":\s|\s#|^[-?:,\[\]{}#&*!|>'\"%@`]|:$", value)
    style = rng.choice(["plain", "quoted", "folded"])
    if style == "folded":
        return ">-\n" + "\n".join("  " + ln for ln in textwrap.wrap(value, 76))
    if style == "plain" and plain_ok:
        return value
    return json.dumps(value, ensure_ascii=False)


def yaml_list(items: list, rng: random.Random) -> str:
    """Render a list as ` A, B` (Claude Code style), ` [A, B]` or a block list (goes after `key:`)."""
    safe = all(re.fullmatch(r"[\w.\-]+", str(x)) for x in items)
    style = rng.choice(["comma", "flow", "block"]) if safe else "flow"
    if style == "comma":
        return " " + ", ".join(items)
    if style == "block":
        return "\n" + "\n".join(f"  - {x}" for x in items)
    return " [" + ", ".join(x if re.fullmatch(r"[\w.\-]+", x) else json.dumps(x) for x in items) + "]"


def random_date(rng: random.Random, start: int = 0, end: int = 364) -> date:
    return date(2026, 1, 1) + timedelta(days=rng.randint(start, end))


# --------------------------------------------------------------------------- drift

def drift(title: str, body: str, level: int, rng: random.Random, vocab: dict) -> str:
    """Render a shared section with 1-2 small variations so copies are near-duplicates."""
    lines = body.split("\n")
    gap = "\n\n"
    ops = rng.sample(["word", "reorder", "extra", "heading", "whitespace", "drop"], rng.choice([1, 1, 2]))
    for op in ops:
        bullets = [i for i, ln in enumerate(lines) if BULLET.match(ln)]
        if op == "word":
            text = "\n".join(lines)
            pairs = [(a, b) for a, b in vocab["word_drift"] if re.search(rf"\b{re.escape(a)}\b", text)]
            if pairs:
                a, b = rng.choice(pairs)
                lines = re.sub(rf"\b{re.escape(a)}\b", b, text, count=1).split("\n")
        elif op == "reorder" and len(bullets) >= 2:
            pos = rng.randrange(len(bullets) - 1)
            i, j = bullets[pos], bullets[pos + 1]
            if j == i + 1 and not lines[i][:1].isdigit():
                lines[i], lines[j] = lines[j], lines[i]
        elif op == "extra":
            sentence = rng.choice(vocab["extra_sentences"])
            if BULLET.match(lines[-1]):
                lines += ["", sentence]
            else:
                lines[-1] = lines[-1].rstrip() + " " + sentence
        elif op == "heading":
            level = 3 if level == 2 else 2
            title = rng.choice([title, title.capitalize(), title.upper() if len(title) < 20 else title])
        elif op == "whitespace":
            choice = rng.randrange(3)
            if choice == 0:
                gap = "\n"
            elif choice == 1:
                lines = [("* " + ln[2:]) if ln.startswith("- ") else ln for ln in lines]
            else:
                lines = [ln + "  " if ln and rng.random() < 0.3 else ln for ln in lines] + [""]
        elif op == "drop" and len(bullets) >= 4 and not lines[bullets[-1]][:1].isdigit():
            del lines[rng.choice(bullets)]
    return "#" * level + " " + title + gap + "\n".join(lines)


# --------------------------------------------------------------------------- agent sections

def render_header(role: Role, with_fm: bool, rng: random.Random, vocab: dict) -> list[str]:
    """Front matter + opening, or `# Name` + description paragraph."""
    if not with_fm:
        blocks = [f"# {role.name}", role.description]
        if rng.random() < 0.3:
            blocks.append(f"**Model:** {role.model} | **Tools:** {', '.join(role.tools)} | **Team:** {role.team}")
        return blocks
    fm = [f"name: {role.id if rng.random() < 0.75 else role.name}",
          f"description: {yaml_string(role.description, rng)}",
          f"tools:{yaml_list(role.tools, rng)}",
          f"model: {role.model}"]
    extras = {
        "version": f"{rng.randint(0, 3)}.{rng.randint(0, 12)}.{rng.randint(0, 9)}",
        "owner": rng.choice(vocab["owners"]),
        "color": rng.choice(vocab["colors"]),
        "tags": "[" + ", ".join(dict.fromkeys([role.team, *(w for w in role.id.split("-") if w not in GENERIC)])) + "]",
        "last_updated": random_date(rng).isoformat(),
    }
    for key in sorted(rng.sample(sorted(extras), rng.randint(0, 3)), key=list(extras).index):
        fm.append(f"{key}: {extras[key]}")
    blocks = ["---\n" + "\n".join(fm) + "\n---"]
    if rng.random() < 0.6:
        blocks.append(f"# {role.name}")
    blocks.append(rng.choice(vocab["intro_lines"]).format(name=role.name, description=role.description))
    return blocks


def render_role_sections(role: Role, rng: random.Random, vocab: dict) -> list[str]:
    """The role file's own sections, with per-agent heading variants."""
    blocks = [role.intro] if role.intro else []
    for key, heading, text in role.sections:
        if key and rng.random() < 0.4:
            heading = rng.choice(vocab["section_headings"][key])
        blocks.append(f"## {heading}\n\n{text}")
    return blocks


def render_dynamic(role: Role, rng: random.Random, vocab: dict) -> list[str]:
    """Volatile sections (Current Focus, Recent Changes, sometimes Status) made role-specific."""
    start = random_date(rng, 0, 330)
    review = start + timedelta(days=14)
    quarter = (start.month - 1) // 3 + 1
    topics = [short_topic(b) for b in role.bullets("expertise")] or [role.name.lower()]
    requests = [b.strip().strip('"') for b in role.bullets("typical requests")]
    pitfalls = [short_topic(b, 16) for b in role.bullets("pitfalls")] or ["skipping the checklist"]
    label = rng.choice(["Customer escalation", "Top of the queue", "Open ticket"])
    items = [f'{label}: "{r}"' for r in rng.sample(requests, min(len(requests), rng.randint(1, 2)))]
    items += [f"Deepen coverage of {t}" for t in rng.sample(topics, min(len(topics), 2))]
    focus = rng.choice(vocab["focus_intros"]).format(
        period=f"Q{quarter} 2026", review=review.isoformat(), start=start.isoformat(),
        sprint=f"26.{start.isocalendar()[1] // 2 + 1}")
    closer = rng.choice(vocab["focus_closers"])
    blocks = ["## Current Focus\n\n" + focus + "\n\n" + "\n".join(f"- {i}" for i in items)
              + (f"\n\n{closer}" if closer else "")]

    dates = sorted({random_date(rng) for _ in range(rng.randint(3, 5))}, reverse=True)
    sections = [h for k, h, _ in role.sections if k] or ["Workflow"]
    changes = []
    for d, template in zip(dates, rng.sample(vocab["change_templates"], len(dates))):
        entry = template.format(topic=rng.choice(topics), section=rng.choice(sections), model=role.model,
                                pitfall=rng.choice(pitfalls), collab=rng.choice(role.collaborators))
        changes.append(f"- {d.isoformat()}: {entry.replace('....', '...')}")
    blocks.append("## Recent Changes\n\n" + "\n".join(changes))

    if rng.random() < 0.4:
        version = f"{rng.randint(1, 4)}.{rng.randint(0, 15)}.{rng.randint(0, 9)}"
        status = (f"- Version: {version}\n- Last reviewed: {dates[0].isoformat()}\n"
                  f"- Stability: {rng.choice(vocab['stability'])}\n- Maintainer: {rng.choice(vocab['owners'])}")
        blocks.insert(rng.randint(0, len(blocks)), "## Status\n\n" + status)
    return blocks


def collab_reason(collab: str, scopes: dict, rng: random.Random, vocab: dict) -> str:
    """One line explaining why to involve a collaborator, derived from its roles.tsv scope."""
    scope = scopes.get(collab)
    if not scope:
        return "coordinate on overlapping work"
    head, sep, tail = scope.partition(": ")
    items = [x.strip() for x in (tail if sep else head).split(",") if x.strip()]
    return rng.choice(vocab["reason_templates"]).format(scope=", ".join(items[:3]))


def render_collaboration(role: Role, scopes: dict, rng: random.Random, vocab: dict) -> str:
    """Closing section listing collaborators by id with a one-line reason each."""
    heading = rng.choice(vocab["collab_headings"])
    intro = rng.choice(vocab["collab_intros"])
    reasons = [(c, collab_reason(c, scopes, rng, vocab)) for c in role.collaborators]
    style = rng.randrange(3)
    if style == 0:
        rows = [f"- `{c}`: {r}" for c, r in reasons]
    elif style == 1:
        rows = [f"- **{c}** - {r[0].upper() + r[1:]}" for c, r in reasons]
    else:
        rows = ["| Agent | When to involve |", "|-------|-----------------|"]
        rows += [f"| {c} | {r[0].upper() + r[1:]} |" for c, r in reasons]
    return f"## {heading}\n\n" + (intro + "\n\n" if intro else "") + "\n".join(rows)


def choose_boilerplate(role: Role, shared: list, rng: random.Random) -> list[int]:
    """Pick 4-7 shared sections, shrinking/growing the set to stay inside the token target."""
    order = rng.sample(range(len(shared)), len(shared))
    k = rng.randint(4, min(7, len(shared)))
    size = lambda n: role.body_chars + 1800 + sum(len(shared[i][1]) for i in order[:n])
    while k > 4 and size(k) > TOKEN_MAX * 4 * 0.93:
        k -= 1
    while k < min(7, len(shared)) and size(k) < TOKEN_MIN * 4 * 1.15:
        k += 1
    return sorted(order[:k])


def render_agent(role: Role, shared: list, scopes: dict, vocab: dict) -> str:
    """Build the full CLAUDE.md text for one role."""
    rng = rng_for(role.id)
    # Alternate by roles.tsv row so exactly half of the full library has front matter.
    row = list(scopes).index(role.id) if role.id in scopes else hashlib.sha256(role.id.encode()).digest()[0]
    with_fm = row % 2 == 0
    header = render_header(role, with_fm, rng, vocab)

    grouped = rng.random() < 0.2
    level = 3 if grouped else 2
    boiler = []
    for idx in choose_boilerplate(role, shared, rng):
        title, body = shared[idx]
        boiler.append(drift(title, body, level, rng, vocab) if rng.random() < 0.3
                      else f"{'#' * level} {title}\n\n{body}")
    if grouped:
        boiler.insert(0, "## Team Guidelines\n\nThe following guidelines are shared by every agent in this library.")

    role_blocks = render_role_sections(role, rng, vocab)
    dynamic = render_dynamic(role, rng, vocab)
    collab = render_collaboration(role, scopes, rng, vocab)

    layout = rng.choice("ABC")
    if layout == "A":    # boilerplate, dynamic, role content
        body = boiler + dynamic + role_blocks
    elif layout == "B":  # first role sections, dynamic, remaining role sections, boilerplate
        cut = min(2, len(role_blocks) - 1) or 1
        body = role_blocks[:cut] + dynamic + role_blocks[cut:] + boiler
    else:                # some boilerplate, role content split around the dynamic sections
        half, cut = len(boiler) // 2, rng.randint(1, max(1, len(role_blocks) - 1))
        body = boiler[:half] + role_blocks[:cut] + dynamic + role_blocks[cut:] + boiler[half:]
    return "\n\n".join(header + body + [collab]).rstrip("\n") + "\n"


# --------------------------------------------------------------------------- agents: write / check

def build_agents(roles_dir: Path) -> dict[str, str]:
    """Render every readable role file; returns {id: CLAUDE.md text}."""
    vocab = json.loads((SHARED / "variants.json").read_text(encoding="utf-8"))
    shared, scopes = load_shared(), load_scopes()
    out = {}
    for path in sorted(roles_dir.glob("*.md")):
        try:
            role = load_role(path)
        except (ValueError, UnicodeDecodeError) as err:
            print(f"warning: skipping {path}: {err}", file=sys.stderr)
            continue
        unknown = [i for i in (role.id, *role.collaborators) if i not in scopes]
        if unknown:
            print(f"warning: {path.name}: ids not in roles.tsv: {', '.join(unknown)}", file=sys.stderr)
        out[role.id] = render_agent(role, shared, scopes, vocab)
    return out


def stale_dirs(out_dir: Path, expected: dict) -> list[Path]:
    """Agent folders that look generated (only a CLAUDE.md) but have no role file any more."""
    if not out_dir.is_dir():
        return []
    return [d for d in sorted(out_dir.iterdir())
            if d.is_dir() and not d.is_symlink() and d.name not in expected
            and [p.name for p in d.iterdir()] == ["CLAUDE.md"]]


def sync_agents(out_dir: Path, agents: dict, check: bool) -> int:
    """Write (or with check=True, compare) the agent library; returns the number of differences."""
    diffs = 0
    for agent_id, text in agents.items():
        target = out_dir / agent_id / "CLAUDE.md"
        data = text.encode("utf-8")
        if target.is_file() and target.read_bytes() == data:
            continue
        diffs += 1
        if check:
            print(f"{'differs' if target.exists() else 'missing'}: {target}")
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    for d in stale_dirs(out_dir, agents):
        diffs += 1
        print(f"stale: {d}" if check else f"removed stale {d}")
        if not check:
            shutil.rmtree(d)
    return diffs


def print_summary(agents: dict) -> None:
    tokens = sorted(len(t) // 4 for t in agents.values())
    if not tokens:
        print("agents: 0 (no role files found)")
        return
    print(f"agents: {len(tokens)}  est. tokens min/median/max: {tokens[0]}/{int(statistics.median(tokens))}/"
          f"{tokens[-1]}  total: {sum(tokens)}")
    outside = [i for i, t in agents.items() if not TOKEN_MIN <= len(t) // 4 <= TOKEN_MAX]
    if outside:
        print(f"warning: outside {TOKEN_MIN}-{TOKEN_MAX} tokens: {', '.join(outside)}", file=sys.stderr)


# --------------------------------------------------------------------------- broken library

SYMLINK = "symlink:"  # value prefix marking a symlink entry in build_broken()


def build_broken() -> dict[str, bytes | str]:
    """Malformed and valid inputs for fixtures/broken: {relative path: bytes or 'symlink:<target>'}."""
    src = HERE / "broken"
    files: dict[str, bytes | str] = {}
    for path in sorted(src.rglob("*")):
        if path.is_file():
            files[path.relative_to(src).as_posix()] = path.read_bytes()
    latin1 = files.pop("latin1/CLAUDE.utf8.md").decode("utf-8")
    files["latin1/CLAUDE.md"] = latin1.encode("iso-8859-1")
    blob = bytearray(b"\x89PNG\r\n\x1a\n" + rng_for("binary-blob").randbytes(4088))
    blob[8::61] = bytes(len(blob[8::61]))  # sprinkle NUL bytes
    files["binary-blob/CLAUDE.md"] = bytes(blob)
    files["empty/CLAUDE.md"] = b""
    files["loop/self"] = SYMLINK + ".."
    return dict(sorted(files.items()))


def read_tree(root: Path) -> dict[str, bytes | str]:
    """Snapshot a directory without following symlinks, in build_broken() format."""
    tree = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                tree[rel] = SYMLINK + os.readlink(path)
            elif path.is_file():
                tree[rel] = path.read_bytes()
    return tree


def sync_broken(out_dir: Path, check: bool) -> int:
    """Write (or compare) fixtures/broken; the folder is owned entirely by this generator."""
    expected = build_broken()
    if check:
        actual = read_tree(out_dir) if out_dir.is_dir() else {}
        bad = sorted(p for p in expected.keys() | actual.keys() if expected.get(p) != actual.get(p))
        for p in bad:
            print(f"{'stale' if p not in expected else 'missing' if p not in actual else 'differs'}: {out_dir / p}")
        return len(bad)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    for rel, content in expected.items():
        target = out_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            os.symlink(content[len(SYMLINK):], target)
        else:
            target.write_bytes(content)
    print(f"wrote {len(expected)} entries to {out_dir}")
    return 0


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the output on disk is out of date")
    parser.add_argument("--broken", action="store_true", help="generate fixtures/broken instead of fixtures/agents")
    parser.add_argument("--roles-dir", type=Path, default=HERE / "roles", help="role source files")
    parser.add_argument("--out", type=Path, help="output folder (default fixtures/agents or fixtures/broken)")
    args = parser.parse_args(argv)

    if args.broken:
        diffs = sync_broken(args.out or REPO / "fixtures" / "broken", args.check)
    else:
        agents = build_agents(args.roles_dir)
        diffs = sync_agents(args.out or REPO / "fixtures" / "agents", agents, args.check)
        print_summary(agents)
    if args.check:
        print("up to date" if diffs == 0 else f"{diffs} difference(s); run tools/agentgen/generate.py")
        return 1 if diffs else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
