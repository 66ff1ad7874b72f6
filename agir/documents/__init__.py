"""Documents of a person's file (SPEC §4.7, issue 18): what the bytes are (sniff), whether they carry a virus
(scan), and where they are kept, encrypted (store). Pure of Flask's request: the views, the CLI and the jobs
share these modules."""
