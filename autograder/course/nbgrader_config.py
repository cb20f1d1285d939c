"""nbgrader's configuration for the course (copied into the course folder by ``python -m autograder generate``).

Grade cells call ``autograder.notebook.grade``: the released notebook shows the
practice score, ``nbgrader autograde`` runs the hidden call, which needs the
instructor's secret in the environment::

    AUTOGRADER_SECRET=... AUTOGRADER_TERM=2026-2 nbgrader autograde 004_5_convolucionales
"""

import warnings

from sqlalchemy.exc import SAWarning

c = get_config()  # noqa: F821 - nbgrader defines get_config() when it loads this file

# The course's name in nbgrader's gradebook (gradebook.db in this folder) and in the exchange.
c.CourseDirectory.course_id = "aprendizaje_profundo"

# Seconds a single cell may run while nbgrader executes a notebook (autograde, validate). A grade cell takes
# seconds, but the students' experiments train networks: give them room; a cell that runs out gets an error.
c.Execute.timeout = 900

# The kernel's own log is not part of the notebook; keep its start-up notice ("running over TCP without
# encryption", ipykernel 7) out of nbgrader's console. nbclient still adds --HistoryManager.hist_file=:memory:,
# the history grade() reads the executed cells from.
c.Execute.extra_arguments = ["--IPKernelApp.log_level=ERROR"]

# nbgrader gives a test cell zero points when it writes to stderr. grade() never does, but a warning that
# NumPy, Numba or matplotlib print while a cell runs is not the student's mistake: drop stderr outputs that are
# only warnings (a "SomeWarning: message" line) before the grades are read.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"^(?:[^\n]*:\d+: )?\w*Warning: "

# Feedback is the autograded notebook as HTML, and autograde has put the hidden grade("...", hidden=True) call
# back into every test cell (so it logs "Attribute 'checksum' for cell test_... has changed!": expected).
# ClearHiddenTests removes that call from the feedback; the cell's output, the hidden cases' results, stays.
# (nbgrader then logs "Config option `display_data_priority` not recognized by `ClearHiddenTests`": harmless.)
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# What replaces a solution region in the released notebook, in the course's language.
c.ClearSolutions.code_stub = {
    "python": '# TU CÓDIGO AQUÍ\nraise NotImplementedError("Te toca: completa esta función (borra esta línea).")',
}
c.ClearSolutions.text_stub = "ESCRIBE AQUÍ TU RESPUESTA"

# nbgrader 0.9 creates gradebook rows (a submission, its notebooks and grades) through relationship backrefs and
# adds them to the session afterwards; SQLAlchemy 2 no longer cascades a backref into the session, so every query
# in between autoflushes with "Object of type <SubmittedAssignment> not in session, add operation along
# 'Student.submissions' will not proceed". The rows are added right after, so the warning is noise.
warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session", category=SAWarning,
                        module=r"nbgrader\.")
