"""The yardstick: a bare Flask app that answers "ok" on every path, served like the real one."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
@app.get("/<path:_path>")
def ok(_path: str = ""):
    return "ok"
