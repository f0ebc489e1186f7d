"""The course's assignments, one folder each (installed with the grader as ``autograder.course``).

See ``autograder/assignments.py`` for what an assignment folder holds.
"""
