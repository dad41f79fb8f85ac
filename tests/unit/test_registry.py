"""portwho.registry: real lookups against the shipped IANA table, aliases and notes."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

from portwho import registry
from portwho._run import run
from portwho.registry import Note, Service

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA = REPO_ROOT / "portwho" / "registry"


def _names(port: int, protocol: str | None = None) -> list[str]:
    return [s.name for s in registry.services(port, protocol)]


def test_http_has_several_names() -> None:
    assert _names(80, "tcp") == ["http", "www", "www-http"]
    assert registry.services(80, "tcp")[0] == Service(
        name="http", port=80, protocol="tcp", description="World Wide Web HTTP"
    )


def test_both_protocols_when_none_given() -> None:
    assert {s.protocol for s in registry.services(443)} == {"tcp", "udp"}
    assert _names(443, "TCP") == ["https"]


@pytest.mark.parametrize(
    ("port", "name"),
    [(5432, "postgresql"), (5000, "commplex-main"), (22, "ssh"), (8080, "http-alt")],
)
def test_real_registrations(port: int, name: str) -> None:
    assert name in _names(port, "tcp")


def test_unregistered_ports_have_nothing() -> None:
    assert registry.services(60714) == []
    assert registry.services(65535) == []
    assert registry.services(70000) == []


def test_port_zero_is_reserved() -> None:
    assert registry.services(0, "tcp") == [
        Service(name="", port=0, protocol="tcp", description="Reserved")
    ]


def test_a_port_is_not_confused_with_a_longer_one() -> None:
    # "\n8\t" must not match "80\t" or "8080\t"
    assert all(s.port == 8 for s in registry.services(8))
    assert "http" not in _names(8)


def test_named_range_rows_are_expanded() -> None:
    assert _names(6000, "tcp") == ["x11"]
    assert _names(6063, "tcp") == ["x11"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("postgres", [(5432, "tcp")]),
        ("postgresql", [(5432, "tcp"), (5432, "udp")]),
        ("HTTP", [(80, "tcp"), (80, "udp")]),
        ("https", [(443, "tcp"), (443, "udp")]),
        ("mongo", [(27017, "tcp")]),
        ("mongodb", [(27017, "tcp")]),
        ("redis", [(6379, "tcp")]),
        ("Vite", [(5173, "tcp")]),
        ("ssh", [(22, "tcp"), (22, "udp")]),
    ],
)
def test_ports_for_name(name: str, expected: list[tuple[int, str]]) -> None:
    assert registry.ports_for_name(name) == expected


def test_ambiguous_name_lists_every_port() -> None:
    ports = {port for port, _ in registry.ports_for_name("http-alt")}
    assert ports == {591, 8008, 8080}


def test_unknown_name_is_empty() -> None:
    assert registry.ports_for_name("no-such-service-xyz") == []
    assert registry.ports_for_name("") == []
    assert registry.ports_for_name("bad\x00name") == []


def test_system_services_file_is_the_last_resort() -> None:
    # Debian's /etc/services knows "webcache" as an alias of 8080; IANA does not.
    try:
        system_port = socket.getservbyname("webcache", "tcp")
    except OSError:
        pytest.skip("this machine's services file has no 'webcache'")
    assert registry.ports_for_name("webcache") == [(system_port, "tcp")]


@pytest.mark.parametrize(
    ("name", "protocol", "port"),
    [
        ("commplex-main", "tcp", 5000),
        ("ssh", "tcp", 22),
        ("https", "tcp", 443),
        ("http-alt", "tcp", 8080),  # IANA also gives 591 and 8008; the alias settles it
        ("domain", "udp", 53),
        ("mdns", "udp", 5353),
        ("redis", "udp", 6379),  # IANA has redis only on tcp; a services file may list udp too
        ("afs3-fileserver", "tcp", 7000),
    ],
)
def test_port_for_service(name: str, protocol: str, port: int) -> None:
    assert registry.port_for_service(name, protocol) == port


def test_port_for_unknown_service_is_none() -> None:
    assert registry.port_for_service("no-such-service-xyz", "tcp") is None
    assert registry.port_for_service("", "udp") is None


def test_airplay_note_only_on_macos() -> None:
    for port in (5000, 7000):
        assert any("AirPlay" in n.text for n in registry.notes(port, "darwin"))
        assert not any("AirPlay" in n.text for n in registry.notes(port, "linux"))
        assert any("AirPlay" in n.text for n in registry.notes(port, "linux", all_platforms=True))


def test_everyday_notes() -> None:
    assert any("Vite" in n.text for n in registry.notes(5173, "linux"))
    assert any("PostgreSQL" in n.text for n in registry.notes(5432, "win32"))
    assert any("systemd-resolved" in n.text for n in registry.notes(53, "linux"))
    assert registry.notes(60714, "linux") == []
    assert registry.notes(137, "win32") == registry.notes(138, "win32")


def test_platform_names_are_normalised() -> None:
    assert registry.notes(53, "linux2") == registry.notes(53, "linux")
    assert registry.notes(135, "cygwin") == registry.notes(135, "win32")


def test_curated_files_are_well_formed() -> None:
    for alias, port, protocols in registry._data_lines((DATA / "aliases.tsv").read_text()):
        assert alias == alias.lower() and 0 < int(port) <= 65535
        assert set(protocols.split(",")) <= {"tcp", "udp"}
    for ports, platforms, text in registry._data_lines((DATA / "notes.tsv").read_text()):
        first, _, last = ports.partition("-")
        assert 0 <= int(first) <= int(last or first) <= 65535
        assert platforms == "*" or set(platforms.split(",")) <= {"darwin", "linux", "win32"}
        assert text.endswith(".") and len(text) <= 160, text


def test_note_defaults_to_every_platform() -> None:
    assert Note(text="x").platforms == ()


def test_import_is_lazy() -> None:
    code = (
        f"import sys; sys.path.insert(0, {str(REPO_ROOT)!r}); import portwho.registry as r;"
        " print(len(r._iana_table.loaded), len(r._notes.loaded), len(r._aliases.loaded))"
    )
    done = run([sys.executable, "-c", code], 30)
    assert (done.returncode, done.stdout.split()) == (0, ["0", "0", "0"]), done.stderr


def _brute_force() -> tuple[dict[int, list[Service]], dict[str, list[tuple[int, str]]]]:
    by_port: dict[int, list[Service]] = {}
    by_name: dict[str, list[tuple[int, str]]] = {}
    for port, proto, name, desc in registry._data_lines((DATA / "iana.tsv").read_text()):
        service = Service(name=name, port=int(port), protocol=proto, description=desc)
        by_port.setdefault(int(port), []).append(service)
        assert name.isascii(), name  # RFC 6335; the name search relies on it
        if name:
            by_name.setdefault(name.lower(), []).append((int(port), proto))
    return by_port, by_name


@pytest.mark.slow
def test_every_port_matches_a_plain_scan_of_the_table() -> None:
    by_port, _ = _brute_force()
    for port in range(-1, 65537):
        assert registry.services(port) == by_port.get(port, []), port


@pytest.mark.slow
def test_every_name_matches_a_plain_scan_of_the_table() -> None:
    _, by_name = _brute_force()
    for name, expected in by_name.items():
        assert registry._iana_ports(name) == tuple(sorted(expected)), name


@pytest.mark.slow
def test_every_port_searched_on_disk_matches_a_plain_scan_of_the_table() -> None:
    by_port, _ = _brute_force()
    table = str(DATA / "iana.tsv")
    for port in range(-1, 65537):
        expected = [
            f"{s.port}\t{s.protocol}\t{s.name}\t{s.description}" for s in by_port.get(port, [])
        ]
        assert registry.lines_on_disk(table, port) == expected, port


def test_no_line_of_the_table_is_longer_than_a_probe() -> None:
    # a longer line is still found (by a longer read), in one pread more
    lines = (DATA / "iana.tsv").read_bytes().split(b"\n")
    assert max(len(line) for line in lines) < registry.PROBE


def _table(tmp_path: Path, rows: list[str], end: str = "\n", newline: str = "\n") -> str:
    path = tmp_path / "table.tsv"
    path.write_bytes(("# header\n" + "\n".join(rows) + end).replace("\n", newline).encode())
    return str(path)


def _expected(rows: list[str], port: int) -> list[str]:
    return [r for r in rows if r.startswith(f"{port}\t")]


def _in_memory(path: str, port: int) -> list[str]:
    table = Path(path).read_bytes()
    return registry.port_lines(lambda at, count: table[at : at + count], len(table), port)


PROBED = [-1, 0, 1, 7, 8, 1500, 1505, 2996, 2997, 2999, 3000, 65535]


@pytest.mark.parametrize("end", ["\n", ""])
@pytest.mark.parametrize("width", [300, 3000])  # lines shorter, then longer than a probe
def test_a_small_table_is_searched_to_its_last_line(tmp_path: Path, end: str, width: int) -> None:
    rows = [f"{port}\t{proto}\tname{port}\tdescription é {'x' * (port * 7 % width)}"
            for port in range(0, 3000, 7) for proto in ("tcp", "udp")]  # fmt: skip
    table = _table(tmp_path, rows, end)
    for port in PROBED:
        assert registry.lines_on_disk(table, port) == _expected(rows, port), port
        assert _in_memory(table, port) == _expected(rows, port), port


def test_a_table_with_crlf_line_ends_is_left_to_the_translated_text(tmp_path: Path) -> None:
    rows = [f"{port}\ttcp\tname\tdescription" for port in range(100)]
    assert registry.lines_on_disk(_table(tmp_path, rows, newline="\r\n"), 50) is None
    assert registry.lines_on_disk(_table(tmp_path, rows, newline="\r\n"), 500) == []
    assert registry.lines_on_disk(str(tmp_path / "missing.tsv"), 50) is None
    assert registry.lines_on_disk(_table(tmp_path, []), 50) == []
    assert registry.lines_on_disk(_table(tmp_path, [], end=""), 50) == []


def test_the_table_is_read_whole_once_a_run_has_asked_for_many_ports() -> None:
    code = (
        f"import sys; sys.path.insert(0, {str(REPO_ROOT)!r}); import portwho.registry as r\n"
        "answers = []\n"
        "for port in range(20, 20 + r.ON_DISK_MAX + 2):\n"
        "    answers.append(r.services(port)); print(len(r._iana_table.loaded))\n"
        "r._on_disk.clear(); r._iana_table()  # now every port from the table in memory\n"
        "print(answers == [r.services(p) for p in range(20, 22 + r.ON_DISK_MAX)], r._on_disk)"
    )
    done = run([sys.executable, "-c", code], 30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0"] * registry.ON_DISK_MAX + ["1", "1", "True", "[]"]


def test_without_pread_the_table_is_searched_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = registry.services(443)
    monkeypatch.delattr(os, "pread", raising=False)  # Windows has none
    assert registry.lines_on_disk(str(DATA / "iana.tsv"), 443) is None
    monkeypatch.setattr(registry, "_on_disk", [])
    assert registry.services(443) == expected
