"""NETLINK_SOCK_DIAG and /proc: the Linux fast path, in three parts.

- backend: the backend itself (the chain's "netlink");
- diag: the kernel's socket dumps, and the early sending of one lookup's dumps;
- owners: the owner of each socket inode, from /proc/PID/fd.

Empty on purpose: `portwho PORT` imports diag first, before the rest of portwho, to send its
dumps from a thread while the rest is imported (diag.early), and a package's __init__ is
imported with each of its modules.
"""
