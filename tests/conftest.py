"""Test-wide settings.

Hypothesis: property tests here drive HTTP round trips to the emulator, so a per-example
deadline would measure the machine's load, not the code; no test relies on one. Developers'
runs explore new random examples every time (that is how the suite found, e.g., a transformation
named like its own definition); CI (`.ci/run` sets HYPOTHESIS_PROFILE=ci) runs a fixed,
derandomized set so a landing is reproducible, and prints the blob to replay any failure.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("dev", deadline=None, print_blob=True)
settings.register_profile("ci", deadline=None, print_blob=True, derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
