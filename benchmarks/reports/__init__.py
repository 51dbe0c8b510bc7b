"""What a benchmark run produces for people: the JSON schema, CSV, terminal and Markdown tables, plots.

Pure functions of report rows; may import the runtime's small helpers only.
"""
