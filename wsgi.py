"""WSGI entry point: ``waitress-serve wsgi:app`` (or any WSGI server).

Configuration comes from the environment: CARBON_DATABASE_URL, CARBON_MAX_UPLOAD_MB.
"""

from api.app import create_app

app = create_app()
