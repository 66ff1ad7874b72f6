"""Tests of the blueprints layer."""
