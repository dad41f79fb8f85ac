"""What surrounds the process behind a port: its container, unit or supervisor, parents and
project, and the command that stops it where it lives (issue 14). gather.py builds it once
per owner pid; netns.py looks into other network namespaces."""
