"""Other machines, over the system's OpenSSH: nothing is installed on them.

hosts.py reads and checks the host names, probe.py builds the one fixed remote command and splits
what it printed, parse.py turns those sections into sockets with the existing --from parsers,
ssh.py runs ssh with a deadline. The lookup per host and the views live above (commands, views).
"""
