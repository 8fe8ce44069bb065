"""Forms of the catalogue, one module per group of pages."""
