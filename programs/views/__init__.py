"""Views of the programs app, one module per area."""
