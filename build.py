#!/usr/bin/env python3
"""Command-line entry for the sample site: `python build.py build` (see README.md)."""

from fedpress.cli import run

if __name__ == "__main__":
    run()
