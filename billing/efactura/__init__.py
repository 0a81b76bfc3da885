"""Romanian e-Factura (UBL 2.1, CIUS-RO): validation with ANAF's own rules, offline."""
