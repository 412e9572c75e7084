"""The platform's settings for bench/case_pages.py: the same everything, plus one bare page to compare with."""

import warnings

from proteacher.settings import *  # noqa: F403

ROOT_URLCONF = "case_pages_urls"
# The bare page's template lives beside this file.
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], Path(__file__).resolve().parent / "templates"]  # noqa: F405
# No static files are requested; plain URLs spare the benchmark a collectstatic (and the manifest
# lookup they replace costs one dictionary access per {% static %}).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405

# whitenoise warns once per worker that STATIC_ROOT does not exist (nothing is collected).
warnings.filterwarnings("ignore", message="No directory at")
