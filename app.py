"""Entry point: `flask --app app run`, `gunicorn app:app`."""

import sys

from consent import create_app
from consent.policy_data import PolicyDataError
from consent.settings import ConfigurationError

try:
    app = create_app()
except (ConfigurationError, PolicyDataError) as error:
    # A clear one-line reason instead of a traceback: the operator has a file or variable to fix.
    sys.exit(f"consent: cannot start: {error}")
