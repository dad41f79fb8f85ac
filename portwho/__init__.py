"""portwho: who is holding this port, and what is this port anyway?"""

__version__ = "0.1.0"
