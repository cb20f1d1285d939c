"""Lecture 004_4, Regularización: the graded functions of the set (see autograder/specs/__init__.py)."""
