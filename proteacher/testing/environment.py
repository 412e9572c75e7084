"""Environment for the test run, set before Django reads its settings (loaded with `-p` from the
pytest options in pyproject.toml, which run before pytest-django sets Django up).

The tests run with DEBUG off, as production does, and settings refuse the built-in development key
there: the tests bring a key of their own. Child processes a test starts (a management command,
say) inherit it.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-key-" + "0123456789abcdef" * 4)
