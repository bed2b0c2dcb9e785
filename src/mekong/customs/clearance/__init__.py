"""Customs clearance: declarations, duty calculation, risk lanes and the officer workflow.

A second Django app inside the customs module (label ``clearance``) so that its tables and
migrations evolve independently of the document registry it builds on.
"""
