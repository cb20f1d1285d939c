"""The nbgrader course's configuration (``nbgrader_config.py``), copied into a course folder by
``python -m autograder generate --course DIR``; nbgrader reads it, nothing here imports it."""
