"""Every figure of the series, each a function returning a matplotlib Figure; they import only the core."""
