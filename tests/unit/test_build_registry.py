"""scripts/build_registry.py: every quirk of IANA's CSV, and the shipped table is current."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

REPO_ROOT = Path(__file__).resolve().parents[2]
IANA_CSV = REPO_ROOT.parent / "shared" / "data" / "service-names-port-numbers.csv"
SHIPPED = REPO_ROOT / "portwho" / "registry" / "iana.tsv"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_registry", REPO_ROOT / "scripts" / "build_registry.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_registry"] = module  # dataclasses look their module up while decorating
    spec.loader.exec_module(module)
    return module


build_registry = _load_script()

# An old-style header (column 11 "Known Unauthorized Uses"), a multi-line quoted description,
# a named range, a reserved range, an empty port, empty names, several names on one port,
# sctp and dccp rows, an Unassigned row, and a udp row listed after higher ports.
QUIRKY_ROWS = [
    "Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,Registration Date,"
    "Modification Date,Reference,Service Code,Known Unauthorized Uses,Assignment Notes",
    ",0,tcp,Reserved,[Jon_Postel],,,,,,,",
    ",0,udp,Reserved,[Jon_Postel],,,,,,,",
    "tcpmux,1,tcp,TCP Port Service Multiplexer,[Mark_Lottor],[Mark_Lottor],,,,,,",
    "http,80,tcp,World Wide Web HTTP,,,,,,,,",
    "www,80,tcp,World Wide Web HTTP,,,,,,,,",
    "http,80,sctp,HTTP,,,2008-01-01,,,,,",
    ",225-241,,Reserved,,,,,,,,",
    "x11,6000-6002,tcp,X Window System,,,,2011-05-04,,,,",
    "argus,,tcp,ARGUS Protocol,,,2009-01-01,,,,,",
    ",15,tcp,Unassigned [was netstat],,,,,,,,",
    'somesvc,4000,udp,"first line\nsecond\tline",,,2020-02-03,2024-06-07,,,,',
    "rtp-dccp,5004,dccp,RTP,,,,,,,,",
    "tcpmux,1,udp,TCP Port Service Multiplexer,,,,,,,,",
]

EXPECTED = """\
# IANA service-names-port-numbers, newest date 2024-06-07; built by scripts/build_registry.py; \
port<TAB>protocol<TAB>name<TAB>description
0\ttcp\t\tReserved
0\tudp\t\tReserved
1\ttcp\ttcpmux\tTCP Port Service Multiplexer
1\tudp\ttcpmux\tTCP Port Service Multiplexer
80\ttcp\thttp\tWorld Wide Web HTTP
80\ttcp\twww\tWorld Wide Web HTTP
4000\tudp\tsomesvc\tfirst line second line
6000\ttcp\tx11\tX Window System
6001\ttcp\tx11\tX Window System
6002\ttcp\tx11\tX Window System
"""


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_quirky_csv_gives_expected_table(newline: str) -> None:
    text = newline.join(QUIRKY_ROWS) + newline
    assert build_registry.build(text) == EXPECTED


def test_main_writes_the_table(tmp_path: Path) -> None:
    source = tmp_path / "iana.csv"
    source.write_bytes(("\r\n".join(QUIRKY_ROWS) + "\r\n").encode())
    out = tmp_path / "out" / "iana.tsv"
    assert build_registry.main([str(source), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == EXPECTED


def test_main_reports_a_missing_csv(tmp_path: Path) -> None:
    assert build_registry.main([str(tmp_path / "nope.csv")]) == 2


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_builds_a_well_formed_table(text: str) -> None:
    lines = build_registry.build(text).splitlines()
    assert lines[0].startswith("# IANA")
    assert all(len(line.split("\t")) == 4 for line in lines[1:])


def test_shipped_table_is_up_to_date(tmp_path: Path) -> None:
    if not IANA_CSV.is_file():
        pytest.skip(f"IANA CSV not present at {IANA_CSV}")
    out = tmp_path / "iana.tsv"
    assert build_registry.main([str(IANA_CSV), "--out", str(out)]) == 0
    assert out.read_bytes() == SHIPPED.read_bytes(), "run `make registry` and commit the table"
