"""Templates and catalogues: the PO format, the merge, where files live, taxonomy terms."""
