"""The graded functions of every exercise set; importing this package registers them.

One module per exercise set (``set_004_5`` is lecture 004, section 5). Each
module states, for every function students write: its cases (typical, edge and
random, drawn from the generator it is given), the engine operation that gives
the expected outputs, and the mistakes it recognises.
"""

from . import (  # noqa: F401
    set_000,
    set_001,
    set_002,
    set_003,
    set_004_1,
    set_004_2,
    set_004_3,
    set_004_4,
    set_004_5,
    set_004_6,
)
