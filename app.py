"""Entry point: `flask --app app run`, `gunicorn app:app`."""

import sys

from consent import create_app
from consent.config.settings import ConfigurationError
from consent.policy.data import PolicyDataError

try:
    app = create_app()
except (ConfigurationError, PolicyDataError) as error:
    # A clear one-line reason instead of a traceback: the operator has a file or variable to fix.
    sys.exit(f"consent: cannot start: {error}")
