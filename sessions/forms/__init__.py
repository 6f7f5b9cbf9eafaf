"""Forms of the relationship workspace, one module per area."""
