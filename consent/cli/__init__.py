"""`flask consent ...`: the operator's, marketing's and the privacy officer's commands.

Commands run inside the app's context and reach its services through
``consent.web.context``; the web layer never imports this package.
"""

from __future__ import annotations

from flask import Flask
from flask.cli import AppGroup

from . import demo, move, operate, proof, reports, serve

consent = AppGroup("consent", help="Operate the consent service.")
for _module in (operate, serve, proof, reports, demo, move):
    for _command in _module.COMMANDS:
        consent.add_command(_command)


def init_app(app: Flask) -> None:
    app.cli.add_command(consent)
