"""Tables, queries and the domain operations the web pages, the API and the CLI share.

The only package that talks SQL; it knows no Flask.
"""
