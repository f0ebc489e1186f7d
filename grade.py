#!/usr/bin/env python3
"""Grade course notebooks: ``python grade.py SUBMISSION [SUBMISSION ...]`` (see --help)."""

import sys

from autograder.cli import main

if __name__ == "__main__":
    sys.exit(main())
