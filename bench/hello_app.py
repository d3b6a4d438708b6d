"""The yardstick of bench/bench_api.py: a Flask hello-world, served by the same server
with the same threads or workers as the service."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
