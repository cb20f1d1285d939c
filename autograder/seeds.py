"""Where the cases' random numbers come from.

Cases are drawn in the grader's process from a seed derived from a secret, the
term, the student and the function. Students checking their work locally get
the public *practice* secret; the instructor grades with a secret of their own
(``AUTOGRADER_SECRET`` or ``--secret-file``), which never enters a submission's
process, so the graded cases cannot be known in advance and differ per student
and per term when the instructor wants them to.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PRACTICE_SECRET = "práctica"
SECRET_VARIABLE = "AUTOGRADER_SECRET"


@dataclass(frozen=True)
class SeedContext:
    """The secret, the term and the student a set of cases is drawn for."""

    secret: str = PRACTICE_SECRET
    term: str = ""
    student: str = ""
    per_student: bool = True

    @property
    def practice(self) -> bool:
        return self.secret == PRACTICE_SECRET

    def rng(self, function: str) -> np.random.Generator:
        student = self.student if self.per_student else ""
        text = "\x1f".join((self.secret, self.term, student, function)).encode()
        digest = hashlib.blake2b(text, digest_size=16).digest()
        return np.random.default_rng(int.from_bytes(digest, "little"))

    def fingerprint(self) -> str:
        """Identifies the cases (changes with any of secret, term, student) without revealing the secret."""
        text = "\x1f".join((self.secret, self.term, self.student if self.per_student else "")).encode()
        return hashlib.blake2b(text, digest_size=8, person=b"casesid").hexdigest()


def read_secret(secret_file: str | os.PathLike | None = None) -> str:
    """The instructor's secret: from ``secret_file``, else ``$AUTOGRADER_SECRET``, else the practice one."""
    if secret_file is not None:
        text = Path(secret_file).read_text(encoding="utf-8").strip()
        if not text:
            raise ValueError(f"secret_file {str(secret_file)!r} is empty; expected a line of secret text")
        return text
    return os.environ.get(SECRET_VARIABLE, "").strip() or PRACTICE_SECRET
