#!/usr/bin/env python3
"""Command-line entry for the sample site: `python build.py build` (see README.md)."""

import sys

from fedpress.cli import main

if __name__ == "__main__":
    sys.exit(main())
