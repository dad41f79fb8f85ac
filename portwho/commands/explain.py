"""`portwho explain PORT...`: what a port is, in full (no socket lookup)."""

from __future__ import annotations

import sys

from portwho.errors import UsageError
from portwho.facts import facts_for
from portwho.model import FULL_VIEW_MAX
from portwho.ports import parse_specs
from portwho.system.host import platform_key
from portwho.system.ranges import ephemeral_range
from portwho.views import jsondoc as jsonview
from portwho.views import output as printer
from portwho.views import text as render


def explain(specs: list[str], *, as_json: bool, color: str = "auto") -> None:
    """Everything portwho knows about what the ports are (no socket lookup)."""
    import json

    from portwho.system import native

    printer.use_color(color)

    ports = sorted(parse_specs(specs))
    if len(ports) > FULL_VIEW_MAX:
        raise UsageError(f"explain takes at most {FULL_VIEW_MAX} ports; {len(ports)} given")
    plat = platform_key()
    os_range = ephemeral_range(plat)
    every = {p: facts_for(p, platform=plat, os_range=os_range, all_platforms=True) for p in ports}
    if as_json:
        doc = {
            "schema": jsonview.SCHEMA,
            "ports": [
                {"port": p, **f.to_json(), "native_commands": native.commands(p, plat)}
                for p, f in every.items()
            ],
        }
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        return
    lines: list[render.Line] = []
    for port, f in every.items():
        lines.extend(render.explain_lines(f, native.commands(port, plat)))
    printer.emit(lines)
