"""The interchange contract (INTERCHANGE.md): JSON-Lines import and export of persons with their whole path.

schema.py (shape of the records), validation.py (a line against its schema), checks.py (SPEC §4 rules
through agir/rules), importer.py (validate everything, then write all or nothing), writer.py and
bulk.py (batched inserts), exporter.py (streamed export).
"""
