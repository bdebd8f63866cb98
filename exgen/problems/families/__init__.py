"""One module per problem family; each registers itself with ``@family`` when imported."""
