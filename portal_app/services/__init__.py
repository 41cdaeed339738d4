"""Queries and rules: plain functions taking a Session and the acting user; no Reflex here."""
