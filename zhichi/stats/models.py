"""The statistics app's own records. The figures themselves are read from the trusted record (the
cases, the ledger's entries and payments, reversals included): never from a second copy."""
