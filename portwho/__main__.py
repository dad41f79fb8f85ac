"""`python -m portwho` and the `portwho` console script."""

from __future__ import annotations


def main() -> None:
    from portwho.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
