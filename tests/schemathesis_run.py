"""Runs the schemathesis CLI with its arguments (tests/api/schemathesis.rs starts it).

It registers kheo's own check (tests/schemathesis_checks.py), and makes one work-around:
Hypothesis describes the lambdas that filter its strategies by parsing their source file
with `ast.parse`, and on Python 3.11 before 3.11.8 (Debian 12 has 3.11.2) that parse can
fail deep in a recursion with "SystemError: AST constructor recursion depth mismatch"
(CPython issue gh-106905), which schemathesis then reports as an error of the run. The
description only names a strategy in reprs; when the parse fails, the lambda is described
as `<unknown>`, as Hypothesis does for lambdas it cannot find the source of.
"""

import sys

from hypothesis.internal import lambda_sources

_describe = lambda_sources.lambda_description


def _describe_or_unknown(f):
    try:
        return _describe(f)
    except SystemError:
        return "lambda: <unknown>"


lambda_sources.lambda_description = _describe_or_unknown

import schemathesis_checks  # noqa: E402,F401  (registers `body_is_what_its_type_says`)
from schemathesis.cli import schemathesis  # noqa: E402  (after the work-around)

if __name__ == "__main__":
    sys.argv[0] = "schemathesis"
    sys.exit(schemathesis())
