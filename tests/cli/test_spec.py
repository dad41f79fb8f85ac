"""The Typer app is built from portwho/spec.py and nothing else: the two can never drift."""

from __future__ import annotations

from typing import Any

import typer

from portwho import spec
from portwho.cli.app import app


def commands() -> dict[str, Any]:
    group: Any = typer.main.get_command(app)
    return dict(group.commands)


def test_every_verb_is_declared_once_in_order() -> None:
    assert list(commands()) == [v.name for v in spec.VERBS]


def test_every_parameter_matches_its_declaration() -> None:
    for name, command in commands().items():
        verb = spec.verb(name)
        assert command.help == verb.doc and command.short_help == verb.summary
        options = [p for p in command.params if p.param_type_name == "option"]
        arguments = [p for p in command.params if p.param_type_name == "argument"]
        assert [(p.name, tuple(p.opts), p.help) for p in options] == [
            (o.dest, o.names, o.help) for o in verb.opts
        ], name
        assert [(p.name, p.help, p.nargs == -1) for p in arguments] == [
            (a.dest, a.help, a.many) for a in verb.args
        ], name


def test_a_value_option_says_what_it_takes() -> None:
    for name, command in commands().items():
        for param in command.params:
            if param.param_type_name == "option" and not param.is_flag:
                declared = spec.verb(name).option(param.opts[0])
                assert declared is not None and declared.value == param.metavar, (name, param)
