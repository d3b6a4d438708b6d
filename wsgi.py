"""WSGI entry point: ``waitress-serve wsgi:app`` (or any WSGI server).

Configuration comes from the environment, read once by ``create_app`` (``carbon.settings``;
every variable: docs/deployment.md).
"""

from api.app import create_app

app = create_app()
