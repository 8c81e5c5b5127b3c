"""One module per API resource; each turns a request into calls on registry services."""
