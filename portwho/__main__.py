"""`python -m portwho` and the `portwho` console script.

`init`, `prompt` and most Tab presses are answered by portwho.cli.fast without importing Typer
(they run at every shell start, prompt and Tab); everything else goes to portwho.cli.app.
"""

from __future__ import annotations


def main() -> None:
    from portwho.cli.fast import main as fast_main

    fast_main()


if __name__ == "__main__":
    main()
