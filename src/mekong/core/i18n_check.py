"""Check that every translation catalogue is complete, then compile it.

Run as ``python -m mekong.core.i18n_check [--compile] LOCALE_DIR``: exits 1 and lists each
catalogue with untranslated or fuzzy entries, or whose placeholders differ from the English
source (a translated string that drops ``%(amount)s`` would crash or mislead at run time). With
``--compile`` it then writes each ``django.mo`` with Babel, so neither `make demo` nor CI needs
GNU gettext installed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

LANGUAGES = ("th", "vi", "km", "lo", "my")
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")
_ENTRY_SPLIT = re.compile(r"\n\s*\n")


def _unquote(lines: list[str]) -> str:
    parts = []
    for line in lines:
        line = line.strip()
        if line.startswith('"') and line.endswith('"'):
            parts.append(line[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape"))
    return "".join(parts)


def _fields(block: str) -> tuple[bool, dict[str, str]]:
    fuzzy = False
    fields: dict[str, list[str]] = {}
    current: str | None = None
    for raw in block.splitlines():
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        if line.startswith("#"):
            continue
        match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$", line)
        if match:
            current = match.group(1)
            fields[current] = [match.group(2)]
        elif line.startswith('"') and current:
            fields[current].append(line)
    return fuzzy, {k: _unquote(v) for k, v in fields.items()}


def check_catalogue(path: Path) -> list[str]:
    """Return the problems of one ``django.po`` file (empty when complete)."""
    problems: list[str] = []
    text = path.read_text(encoding="utf-8")
    for block in _ENTRY_SPLIT.split(text):
        fuzzy, fields = _fields(block)
        msgid = fields.get("msgid", "")
        if not msgid:
            continue  # the header entry
        msgstrs = [v for k, v in fields.items() if k.startswith("msgstr")]
        short = msgid[:60].replace("\n", " ")
        if fuzzy:
            problems.append(f"fuzzy: {short!r}")
        if not msgstrs or any(not s for s in msgstrs):
            problems.append(f"untranslated: {short!r}")
            continue
        wanted = set(_PLACEHOLDER.findall(msgid + fields.get("msgid_plural", "")))
        for s in msgstrs:
            # A plural form may omit the count placeholder; named ones must all be there.
            got = set(_PLACEHOLDER.findall(s))
            missing = {w for w in wanted if w not in got and w != ("counter", "")}
            if missing:
                problems.append(f"placeholder mismatch {sorted(missing)}: {short!r}")
    return problems


def compile_catalogue(po_path: Path) -> Path:
    """Compile one ``django.po`` into the ``django.mo`` beside it (Babel's writer)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, ignore_obsolete=True)
    mo_path = po_path.with_suffix(".mo")
    with mo_path.open("wb") as mo_file:
        write_mo(mo_file, catalog, use_fuzzy=False)
    return mo_path


def main(argv: list[str]) -> int:
    """Check each language's catalogue under the given locale directory (and compile it)."""
    compile_too = "--compile" in argv
    argv = [a for a in argv if a != "--compile"]
    root = Path(argv[0] if argv else "locale")
    failed = False
    for lang in LANGUAGES:
        path = root / lang / "LC_MESSAGES" / "django.po"
        if not path.exists():
            print(f"{path}: missing", file=sys.stderr)
            failed = True
            continue
        problems = check_catalogue(path)
        if problems:
            failed = True
            print(f"{path}: {len(problems)} problem(s)", file=sys.stderr)
            for problem in problems[:20]:
                print(f"  {problem}", file=sys.stderr)
    if failed:
        return 1
    print(f"translation catalogues complete: {', '.join(LANGUAGES)}")
    if compile_too:
        for lang in LANGUAGES:
            compile_catalogue(root / lang / "LC_MESSAGES" / "django.po")
        print("compiled django.mo for each language")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
