"""The web layer: the Flask app, its blueprints, the one error shape, auth, limits and headers.

Views parse a request, call one function of the layers below, and return.
"""
