"""Build portwho/registry/iana.tsv from IANA's service-names-port-numbers.csv.

The shipped table keeps only what portwho shows: one line per (port, protocol, name) with the
description, tcp and udp only. A header comment records the newest registration/modification
date in the source, because the CSV carries no "last updated" line of its own.

    python scripts/build_registry.py [CSV] [--out PATH]     (make registry IANA_CSV=path)
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CSV = REPO_ROOT.parent / "shared" / "data" / "service-names-port-numbers.csv"
DEFAULT_OUT = REPO_ROOT / "portwho" / "registry" / "iana.tsv"

# Columns picked by position: older copies name column 11 "Known Unauthorized Uses".
NAME, PORT, PROTO, DESC, REG_DATE, MOD_DATE = 0, 1, 2, 3, 6, 7
PROTOCOLS = ("tcp", "udp")
# Rows that say "nobody has this port" are noise for a "what is this port" answer.
DROPPED_PREFIXES = ("unassigned", "de-registered")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    port: int
    protocol: str
    name: str
    description: str


def _number(text: str) -> bool:
    """ASCII digits only: str.isdigit also takes "²", which int() refuses."""
    return text.isascii() and text.isdigit()


def _ports(text: str) -> range | None:
    """ "80" -> 80..80, "6000-6063" -> the range, anything else (empty, junk) -> None."""
    low, _, high = text.strip().partition("-")
    if not (_number(low) and (not high or _number(high))):
        return None
    first, last = int(low), int(high or low)
    if not 0 <= first <= last <= 65535:
        return None
    return range(first, last + 1)


def _records(row: list[str]) -> Iterator[Record]:
    cells = [*row, *[""] * (4 - len(row))]
    protocol = cells[PROTO].strip().lower()
    ports = _ports(cells[PORT])
    description = _SPACE.sub(" ", cells[DESC]).strip()
    name = cells[NAME].strip()
    if protocol not in PROTOCOLS or ports is None:
        return
    if description.lower().startswith(DROPPED_PREFIXES):
        return
    if not name and len(ports) > 1:
        return  # reserved ranges: hundreds of lines that only say "Reserved"
    for port in ports:
        yield Record(port=port, protocol=protocol, name=name, description=description)


def _newest_date(rows: list[list[str]]) -> str:
    dates = [
        cell.strip()
        for row in rows
        for cell in row[REG_DATE : MOD_DATE + 1]
        if _DATE.fullmatch(cell.strip())
    ]
    return max(dates, default="unknown")


def build(csv_text: str) -> str:
    """The whole table text for one CSV text (LF or CRLF, quoted multi-line fields)."""
    rows = list(csv.reader(io.StringIO(csv_text, newline="")))
    body = rows[1:] if rows and rows[0] and rows[0][0].strip() == "Service Name" else rows
    numbered = [(r.port, r.protocol, i, r) for i, row in enumerate(body) for r in _records(row)]
    numbered.sort(key=lambda item: item[:3])  # port, protocol, then IANA's own order
    seen: set[tuple[int, str, str]] = set()
    lines = [
        f"# IANA service-names-port-numbers, newest date {_newest_date(body)};"
        " built by scripts/build_registry.py; port<TAB>protocol<TAB>name<TAB>description",
    ]
    for _, _, _, rec in numbered:
        key = (rec.port, rec.protocol, rec.name)
        if key in seen:
            continue
        seen.add(key)
        lines.append(f"{rec.port}\t{rec.protocol}\t{rec.name}\t{rec.description}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, nargs="?", default=DEFAULT_CSV)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    csv_path: Path = args.csv
    out_path: Path = args.out
    if not csv_path.is_file():
        print(f"build_registry: no IANA CSV at {csv_path}", file=sys.stderr)
        return 2
    table = build(csv_path.read_text(encoding="utf-8"))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(table, encoding="utf-8", newline="\n")
    print(f"build_registry: wrote {table.count(chr(10)) - 1} records to {out_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
