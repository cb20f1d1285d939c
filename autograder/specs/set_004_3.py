"""Lecture 004_3, Detalles: inicialización: the graded functions of the set (see autograder/specs/__init__.py)."""
