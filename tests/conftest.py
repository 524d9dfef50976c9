"""Hypothesis profiles: a quick one for every run, a thorough one (10,000 examples) on demand.

HYPOTHESIS_PROFILE=thorough python -m pytest tests/test_properties.py
"""

import os

from hypothesis import settings

settings.register_profile("default", max_examples=300, deadline=None)
settings.register_profile("thorough", max_examples=10_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
