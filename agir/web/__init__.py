"""What needs Flask's request, session or current user: the session checks and security headers
(`security`), the locale of a request (`locale`) and the templates' filters and globals (`templating`).
Only agir.app wires it in; nothing else of agir imports it."""
