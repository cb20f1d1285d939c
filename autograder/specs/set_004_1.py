"""Lecture 004_1, Activaciones y aproximación: the graded functions of the set (see autograder/specs/__init__.py)."""
