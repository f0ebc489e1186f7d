"""The grader's packages: computed here because the course's assignments are found, not
listed (``assignments/<name>/`` ships as ``autograder.course.<name>``, so adding an
assignment touches only its folder). Everything else is in pyproject.toml."""

from setuptools import find_namespace_packages, find_packages, setup

course = find_namespace_packages(
    "assignments", exclude=["*__pycache__*", "*.ipynb_checkpoints*", "*.variants", "*.variants.*"]
)
setup(
    packages=[
        *find_packages(include=["autograder", "autograder.*"]),
        "autograder.course",
        *(f"autograder.course.{name}" for name in course),
    ],
    package_dir={"autograder.course": "assignments"},
)
