"""The province's supervision portal: many agencies' published ``api/`` data, one static site."""
