"""The load test (QUALITY.md R13, ``make load``): staff sessions and API clients under locust.

``python -m bench.loadtest.run`` sets up a fresh instance, serves it as ``make run`` does and
runs ``locustfile.py`` headless against it on 127.0.0.1; see bench/README.md, "make load".
"""
