"""Forms of the assessment pages, one module per group of pages."""
