"""``python -m autograder.similarity``: see :mod:`autograder.similarity.cli`."""

import sys

from autograder.similarity.cli import main

sys.exit(main())
