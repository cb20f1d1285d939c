"""Lecture 002, Redes profundas y CNN: the graded functions of the set (see autograder/specs/__init__.py)."""
