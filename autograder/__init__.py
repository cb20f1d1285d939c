"""The autograder: grades students' functions against the engine's outputs and gradients.

``python -m autograder check FILE`` for a student, ``python -m autograder grade
DIR --jobs N`` for an instructor, :func:`autograder.notebook.grade` inside an
nbgrader notebook. Submissions run in a confined child process; the grader
compares their outputs with the engine's in its own process.
"""
