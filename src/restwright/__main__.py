"""``python -m restwright ...``: the command line (see :mod:`restwright.cli`)."""

from restwright.cli import main

if __name__ == "__main__":
    main(prog_name="restwright")
