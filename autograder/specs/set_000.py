"""Lecture 000, Profundidad: the graded functions of the set (see autograder/specs/__init__.py)."""
