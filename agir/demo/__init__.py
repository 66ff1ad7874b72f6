"""Demo and generated data: the Gironde demo (`demo`) and the interchange-file generator (`generator`
and its builders), both written through the importer like any file. Never used by the domain."""
