"""--host / --hosts: names checked before ssh sees them, files and ansible-inventory JSON, and
the ssh argv portwho builds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portwho.errors import UsageError
from portwho.remote import hosts, ssh

INVENTORY = Path(__file__).resolve().parents[1] / "fixtures" / "ansible-inventory"


def test_a_hosts_file_has_one_host_a_line_with_comments() -> None:
    text = "# staging\nweb1\n\n  db1.example.com   # primary\nweb1\nroot@10.0.0.7\n"
    assert hosts.from_text(text, "staging.txt") == [
        hosts.Host("web1", "web1"),
        hosts.Host("db1.example.com", "db1.example.com"),
        hosts.Host("web1", "web1"),
        hosts.Host("root@10.0.0.7", "root@10.0.0.7"),
    ]
    assert len(hosts.gather(["web1"], [])) == 1


@pytest.mark.parametrize("text", ["", "\n# only a comment\n   \n"])
def test_an_empty_hosts_file_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match=r"^no hosts in f\.txt: write one host a line"):
        hosts.from_text(text, "f.txt")


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("-oProxyCommand=x", "starts with '-'"),
        ("a b", "space"),
        ("", "empty"),
        ("a\x1bb", "control"),
    ],
)
def test_a_host_ssh_could_misread_is_refused(name: str, why: str) -> None:
    with pytest.raises(UsageError, match=why):
        hosts.check_name(name)


def test_a_bad_line_in_a_file_is_named_by_its_line_number() -> None:
    with pytest.raises(UsageError, match=r"^f\.txt:2: host '-x' starts with '-'"):
        hosts.from_text("web1\n-x\n", "f.txt")


def test_ansible_inventory_json_gives_every_groups_hosts_and_where_ssh_goes() -> None:
    """Modelled on the layout of a published `ansible-inventory -i inventory.yml --list` run
    (https://gist.github.com/wate/f471944865a090c8ded061623a952450): _meta.hostvars first,
    "all" with children, each group's "hosts"."""
    stem = INVENTORY / "modelled-on-gist-wate-f471944__ansible-inventory_--list"
    found = hosts.from_text(stem.with_suffix(".txt").read_text(), "inv.json")
    expected = json.loads(stem.with_suffix(".json").read_text())
    assert [[h.name, h.target] for h in found] == expected


def test_old_inventory_scripts_list_hosts_and_use_ansible_ssh_names() -> None:
    text = json.dumps({
        "web": ["a", "b"],
        "_meta": {"hostvars": {"b": {"ansible_ssh_host": "10.1.1.2", "ansible_ssh_user": "u"}}},
    })  # fmt: skip
    assert hosts.from_text(text, "x") == [hosts.Host("a", "a"), hosts.Host("b", "u@10.1.1.2")]


def test_a_broken_inventory_is_one_line() -> None:
    with pytest.raises(UsageError, match="is not ansible-inventory JSON"):
        hosts.from_text("{not json", "inv.json")
    bad_port = {"_meta": {"hostvars": {"a": {"ansible_port": "ssh"}}}}
    with pytest.raises(UsageError, match="ansible_port 'ssh' is not a port number"):
        hosts.from_text(json.dumps(bad_port), "inv.json")


def test_the_ssh_command_splits_like_git_ssh_command() -> None:
    assert ssh.base_command({}) == ["ssh"]
    env = {ssh.ENV: "ssh -F '/tmp/my config' -o ControlMaster=no"}
    assert ssh.base_command(env) == ["ssh", "-F", "/tmp/my config", "-o", "ControlMaster=no"]
    with pytest.raises(UsageError, match="PORTWHO_SSH_COMMAND does not split into words"):
        ssh.base_command({ssh.ENV: "ssh -F 'unclosed"})


def test_ssh_gets_batch_mode_a_connect_timeout_then_the_host_and_the_command() -> None:
    argv = ssh.argv("web1", "sh -c 'x'", deadline=5, base=["ssh", "-F", "c"])
    options = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=3", "-T"]
    assert argv == ["ssh", "-F", "c", *options, "web1", "sh -c 'x'"]
    assert ssh.connect_timeout(0.5) == 1
